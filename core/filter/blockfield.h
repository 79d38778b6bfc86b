// The `blocks` field (internal to core/filter): the block ranges a row's message is about, read
// from its payload with the feed layer's own decoding (core/feed: feed::messageBlocks(),
// bitfield-rle), so that a filter, the field tree and the CLI's "blocks" agree.
#pragma once

#include "blockranges.h"

#include <optional>

namespace hyperscope::filter {

struct Row;

/// The blocks @p row's message covers, as inclusive ranges (feed::BlockRange; OpenEnd for a Want
/// or Unwant without a length):
///  - Have: the bits set in its bitfield, or start .. start + length − 1 without one;
///  - Unhave, Want, Unwant: start .. start + length − 1 (Want/Unwant without length: start on);
///  - Request, Cancel, Data: the one block `index`.
/// nullopt for other rows, a row without a payload, a payload that does not decode, or a Have
/// whose bitfield is invalid. Costs O(payload): runs are never expanded into blocks, and a Data's
/// value is not copied.
std::optional<feed::BlockRanges> blocksOf(const Row &row);

} // namespace hyperscope::filter
