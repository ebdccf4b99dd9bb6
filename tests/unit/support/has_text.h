// Substring assertions for the unit tests (gmock is not installed): EXPECT_TRUE(HasText(s, "x"))
// prints the whole text when it lacks the piece.
#pragma once

#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace semguard_test {

inline testing::AssertionResult HasText(std::string_view text, std::string_view piece) {
  if (text.find(piece) != std::string_view::npos) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "\"" << text << "\" lacks \"" << piece << "\"";
}

inline testing::AssertionResult LacksText(std::string_view text, std::string_view piece) {
  if (text.find(piece) == std::string_view::npos) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "\"" << text << "\" holds \"" << piece << "\"";
}

}  // namespace semguard_test
