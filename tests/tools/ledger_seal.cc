// ledger-seal: reads a ledger's lines without their "end" line on stdin and prints them sealed
// with the core's own end line (count and CRC-32C). Tests use it to forge a ledger in which
// only the fact they edited is wrong; the checksum is the core's, not a second copy.
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "ledger/ledger_format.h"

int main() {
  const std::string body{std::istreambuf_iterator<char>(std::cin),
                         std::istreambuf_iterator<char>()};
  if (!body.empty() && body.back() != '\n') {
    std::cerr << "ledger-seal: the last line has no newline\n";
    return 2;
  }
  size_t sets = 0;
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) {
    if (line.compare(0, 4, "set ") == 0) ++sets;
  }
  std::cout << body << semguard::LedgerEndLine(body, sets);
  return 0;
}
