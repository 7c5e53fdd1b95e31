// Log level names, as in Kong's log_level.
#include "kong/logger.h"

#include <array>

namespace kong {
namespace {
constexpr std::array<const char*, 8> kNames = {"debug", "info",  "notice", "warn",
                                               "error", "crit", "alert",  "emerg"};
}  // namespace

const char* LogLevelName(LogLevel level) {
  auto i = static_cast<size_t>(level);
  return i < kNames.size() ? kNames[i] : "unknown";
}

bool ParseLogLevel(std::string_view word, LogLevel* level) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (word == kNames[i]) {
      *level = static_cast<LogLevel>(i);
      return true;
    }
  }
  return false;
}

}  // namespace kong
