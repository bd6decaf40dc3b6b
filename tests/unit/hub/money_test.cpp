#include "illhub/hub/money.hpp"

#include <gtest/gtest.h>

namespace illhub::hub {
namespace {

std::int64_t units(const std::string& value, const std::string& currency = "EUR") {
  auto m = parse_amount(codec::Amount{currency, value}, "EUR");
  EXPECT_TRUE(m) << value << ": " << (m ? "" : m.error());
  return m ? m->units : -1;
}

TEST(ParseAmount, ReadsDecimalPointAndComma) {
  EXPECT_EQ(units("25.00"), 250000);
  EXPECT_EQ(units("25,5"), 255000);
  EXPECT_EQ(units("7"), 70000);
  EXPECT_EQ(units("0.0001"), 1);
}

TEST(ParseAmount, IgnoresThousandsGrouping) {
  EXPECT_EQ(units("1 250,50"), 12505000);
  EXPECT_EQ(units("1.250,50"), 12505000);
  EXPECT_EQ(units("1,250.50"), 12505000);
}

TEST(ParseAmount, TakesTheDefaultCurrencyWhenNoneIsGiven) {
  auto m = parse_amount(codec::Amount{"", "3.00"}, "SEK");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->currency, "SEK");
}

TEST(ParseAmount, RefusesWhatIsNotAnAmount) {
  for (const char* bad : {"", " ", "abc", "12.345678", "1e5", "99999999999999999999"})
    EXPECT_FALSE(parse_amount(codec::Amount{"EUR", bad}, "EUR")) << bad;
  EXPECT_FALSE(parse_amount(codec::Amount{"eur", "1"}, "EUR"));
  EXPECT_FALSE(parse_amount(codec::Amount{"EURO", "1"}, "EUR"));
}

TEST(DecimalString, RoundTrips) {
  for (std::int64_t v : {0LL, 1LL, -1LL, 250000LL, -12505000LL, 123456789012345LL}) {
    const std::string s = to_decimal_string(v);
    auto back = parse_decimal(s);
    ASSERT_TRUE(back) << s;
    EXPECT_EQ(*back, v) << s;
  }
  EXPECT_EQ(to_decimal_string(250000), "25.0000");
  EXPECT_EQ(to_decimal_string(-5), "-0.0005");
  EXPECT_EQ(*parse_decimal("25.50"), 255000);
  EXPECT_FALSE(parse_decimal("1.23456"));
  EXPECT_FALSE(parse_decimal("x"));
}

}  // namespace
}  // namespace illhub::hub
