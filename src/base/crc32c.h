// CRC-32C (Castagnoli), the ledger's checksum. Catches torn or hand-edited files; it is not a
// defence against an attacker, which the file's owner and mode checks are.
#pragma once

#include <cstdint>
#include <string_view>

namespace semguard {

uint32_t Crc32c(std::string_view data);

}  // namespace semguard
