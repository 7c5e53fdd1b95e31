// Argument parsing shared by kong and kongd.
#include "common/cli_args.h"

#include <unistd.h>

extern char** environ;

namespace kong::cli {
namespace {

const OptionSpec* FindOption(const std::vector<OptionSpec>& specs, const std::string& name) {
  for (const OptionSpec& spec : specs) {
    if ((!spec.short_name.empty() && spec.short_name == name) ||
        (!spec.long_name.empty() && spec.long_name == name)) {
      return &spec;
    }
  }
  return nullptr;
}

bool LooksLikeOption(const std::string& arg) { return arg.size() > 1 && arg[0] == '-'; }

}  // namespace

bool WantsHelp(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--") return false;
    if (arg == "-h" || arg == "--help") return true;
  }
  return false;
}

Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                             const std::vector<OptionSpec>& specs) {
  ParsedArgs parsed;
  bool only_positionals = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_positionals || !LooksLikeOption(arg)) {
      parsed.positionals.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positionals = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      parsed.help = true;
      continue;
    }
    std::string name = arg;
    std::string value;
    bool inline_value = false;
    if (arg.rfind("--", 0) == 0) {
      auto eq = arg.find('=');
      if (eq != std::string::npos) {
        name = arg.substr(0, eq);
        value = arg.substr(eq + 1);
        inline_value = true;
      }
    }
    const OptionSpec* spec = FindOption(specs, name);
    if (spec == nullptr) return Status::InvalidArgument("unrecognized parameter: " + arg);
    const std::string& key = spec->long_name.empty() ? spec->short_name : spec->long_name;
    if (!spec->takes_value) {
      if (inline_value) return Status::InvalidArgument(key + " takes no value: " + arg);
      parsed.options[key] = "";
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) return Status::InvalidArgument(key + " needs a value");
      value = args[++i];
    }
    if (value.empty()) return Status::InvalidArgument(key + " needs a value");
    parsed.options[key] = value;
  }
  return parsed;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string kv(*entry);
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

}  // namespace kong::cli
