// The one reader of /proc's small files and symbolic links, for every part that asks /proc.
#pragma once

#include <string>

namespace semguard {

// The whole of a small file with plain read(2), several times cheaper than an ifstream (the
// cleanup asks about many pids). False when it cannot be opened or read.
bool ReadSmallFile(const std::string& path, std::string* out);

// The target of a symbolic link, or "" when it cannot be read.
std::string ReadLinkTarget(const std::string& path);

}  // namespace semguard
