// Runs the façade's C caller (facade_from_c.c): the header's conventions hold for every call.
#include <string>

#include <gtest/gtest.h>

extern "C" int sg_facade_from_c(char* report, size_t len);

TEST(FacadeTest, EveryFunctionWorksFromC) {
  char report[4096] = "";
  EXPECT_EQ(sg_facade_from_c(report, sizeof(report)), 0) << report;
}
