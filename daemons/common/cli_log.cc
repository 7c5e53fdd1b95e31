// Terminal output of kong and kongd, in the shape of Kong's kong/cmd/utils/log.lua.
#include "common/cli_log.h"

#include <time.h>

#include <cstdio>
#include <ctime>
#include <string>

namespace kong::cli {
namespace {

CliLevel g_level = CliLevel::kInfo;

const char* LevelName(CliLevel level) {
  switch (level) {
    case CliLevel::kDebug: return "debug";
    case CliLevel::kVerbose: return "verbose";
    case CliLevel::kInfo: return "info";
    case CliLevel::kWarn: return "warn";
    case CliLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

void SetVerbosity(int verbosity) {
  g_level = verbosity >= 2   ? CliLevel::kDebug
            : verbosity == 1 ? CliLevel::kVerbose
                             : CliLevel::kInfo;
}

void Log(CliLevel level, std::string_view message) {
  if (level < g_level) return;
  std::string line;
  if (g_level < CliLevel::kInfo || level >= CliLevel::kWarn) {
    // Local time, like Lua's os.date in Kong.
    time_t now = ::time(nullptr);
    struct tm tm;
    char stamp[32] = "";
    if (localtime_r(&now, &tm) != nullptr)
      std::strftime(stamp, sizeof stamp, "%Y/%m/%d %H:%M:%S", &tm);
    line = std::string(stamp) + " [" + LevelName(level) + "] ";
  }
  line.append(message);
  line += '\n';
  std::FILE* out = level < CliLevel::kWarn ? stdout : stderr;
  std::fwrite(line.data(), 1, line.size(), out);
  std::fflush(out);
}

void PrintError(std::string_view message) {
  std::string line = "Error: ";
  line.append(message);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace kong::cli
