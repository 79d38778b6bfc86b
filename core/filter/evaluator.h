// Evaluates a compiled Program on one Row (internal to core/filter; users call Filter::matches).
#pragma once

namespace hyperscope::filter {

struct Program;
struct Row;

/// Whether @p row passes @p program (which must not be empty).
bool evaluate(const Program &program, const Row &row);

} // namespace hyperscope::filter
