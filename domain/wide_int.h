// Int128: a 128-bit integer for exact intermediate money arithmetic (products of fen amounts and
// basis points) that cannot overflow before the final range check.
#pragma once

namespace ledger {
__extension__ typedef __int128 Int128;
}  // namespace ledger
