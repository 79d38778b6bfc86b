// The recursive-descent parser and type checker: expression text -> Program (program.h).
//
//   expression := or
//   or         := and (("||" | "or") and)*
//   and        := unary (("&&" | "and") unary)*
//   unary      := ("!" | "not") unary | "(" or ")" | test
//   test       := FIELD [ ("==" | "!=" | "<" | "<=" | ">" | ">=") value
//                       | "contains" value | "matches" STRING | "in" "{" element ("," element)* "}"
//                       ]
//   element    := value | INTEGER ".." INTEGER
//
// Each value is read as the field's kind (a message name after `type ==`, hex or "text" after
// `value ==`), so a mistake is reported where it is made, with what was expected there.
#pragma once

#include <string_view>

namespace hyperscope::filter {

struct FilterError;
struct Program;

/// Parses and checks @p expression into @p program. False with @p error set on failure.
bool parseExpression(std::string_view expression, Program &program, FilterError &error);

} // namespace hyperscope::filter
