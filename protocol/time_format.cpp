#include "protocol/time_format.hpp"

#include <chrono>
#include <cstdio>

namespace draft {

namespace {

constexpr std::int64_t micros_per_second = 1'000'000;

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's
// days_from_civil algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

bool is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int y, unsigned m) {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30,
                                      31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Reads exactly `n` digits at `pos`, advancing it.
bool read_digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size())
    return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9')
      return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c)
    return false;
  ++pos;
  return true;
}

} // namespace

std::string format_rfc3339(timestamp t) {
  std::int64_t seconds = t / micros_per_second;
  std::int64_t micros = t % micros_per_second;
  if (micros < 0) {
    micros += micros_per_second;
    --seconds;
  }
  std::int64_t days = seconds / 86400;
  std::int64_t in_day = seconds % 86400;
  if (in_day < 0) {
    in_day += 86400;
    --days;
  }
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", y, m,
                        d, static_cast<int>(in_day / 3600),
                        static_cast<int>(in_day % 3600 / 60),
                        static_cast<int>(in_day % 60));
  if (micros % 1000 == 0 && micros != 0)
    n += std::snprintf(buf + n, sizeof buf - n, ".%03d",
                       static_cast<int>(micros / 1000));
  else if (micros != 0)
    n += std::snprintf(buf + n, sizeof buf - n, ".%06d",
                       static_cast<int>(micros));
  buf[n++] = 'Z';
  return std::string(buf, static_cast<size_t>(n));
}

std::optional<timestamp> parse_rfc3339(std::string_view s) {
  size_t pos = 0;
  int year, month, day, hour, minute, second;
  if (!read_digits(s, pos, 4, year) || !expect(s, pos, '-')
      || !read_digits(s, pos, 2, month) || !expect(s, pos, '-')
      || !read_digits(s, pos, 2, day))
    return std::nullopt;
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't'))
    return std::nullopt;
  ++pos;
  if (!read_digits(s, pos, 2, hour) || !expect(s, pos, ':')
      || !read_digits(s, pos, 2, minute) || !expect(s, pos, ':')
      || !read_digits(s, pos, 2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1
      || static_cast<unsigned>(day) > days_in_month(year, month) || hour > 23
      || minute > 59 || second > 59)
    return std::nullopt;
  std::int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 6)
        micros = micros * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0)
      return std::nullopt;
    for (size_t i = digits; i < 6; ++i)
      micros *= 10;
  }
  std::int64_t offset_seconds = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!read_digits(s, pos, 2, oh) || !expect(s, pos, ':')
        || !read_digits(s, pos, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_seconds = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (pos != s.size())
    return std::nullopt;
  std::int64_t seconds = days_from_civil(year, static_cast<unsigned>(month),
                                         static_cast<unsigned>(day))
                           * 86400
                         + hour * 3600 + minute * 60 + second - offset_seconds;
  return seconds * micros_per_second + micros;
}

timestamp now_utc() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch())
    .count();
}

} // namespace draft

namespace draft {

std::string format_go_duration(std::int64_t micros) {
  if (micros <= 0)
    return "0s";
  std::int64_t millis = micros / 1000;
  std::int64_t hours = millis / 3'600'000;
  std::int64_t minutes = millis / 60'000 % 60;
  std::int64_t seconds = millis / 1000 % 60;
  std::int64_t fraction = millis % 1000;
  std::string out;
  if (hours > 0)
    out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0)
    out += std::to_string(minutes) + "m";
  out += std::to_string(seconds);
  if (fraction > 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(fraction));
    std::string digits = buf;
    while (digits.back() == '0')
      digits.pop_back();
    out += digits;
  }
  return out + "s";
}

} // namespace draft
