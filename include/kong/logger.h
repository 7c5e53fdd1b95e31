// Log levels and the sink through which the library reports what it does (it never writes to
// stdout or stderr itself).
#ifndef KONG_LOGGER_H_
#define KONG_LOGGER_H_

#include <functional>
#include <string_view>

#include "kong/export.h"

namespace kong {

// Kong's (nginx's) levels, most verbose first.
enum class LogLevel { kDebug = 0, kInfo, kNotice, kWarn, kError, kCrit, kAlert, kEmerg };

// Receives one line (no trailing newline). Called on the thread of the loop that owns the
// object that logs; it must not call back into that object.
using LogSink = std::function<void(LogLevel level, std::string_view line)>;

// "debug", "info", "notice", "warn", "error", "crit", "alert", "emerg".
KONG_EXPORT const char* LogLevelName(LogLevel level);

// Parses Kong's `log_level` words; false on an unknown word.
KONG_EXPORT bool ParseLogLevel(std::string_view word, LogLevel* level);

}  // namespace kong

#endif  // KONG_LOGGER_H_
