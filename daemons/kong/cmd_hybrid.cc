// `kong hybrid gen_cert [<cert> <key>] [-d|--days N]`: Kong's cluster certificate pair.
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "commands.h"
#include "common/cli_args.h"
#include "common/cli_log.h"
#include "kong/cert_gen.h"

namespace kong::cli {

const char kHybridUsage[] =
    "Usage: kong hybrid COMMAND [OPTIONS]\n"
    "\n"
    "Hybrid mode utilities for Kong.\n"
    "\n"
    "The available commands are:\n"
    "  gen_cert [<cert> <key>]           Generate a certificate/key pair that is suitable\n"
    "                                    for use in hybrid mode deployment.\n"
    "                                    Cert and key will be written to\n"
    "                                    './cluster.crt' and './cluster.key' inside\n"
    "                                    the current directory unless filenames are given.\n"
    "\n"
    "Options:\n"
    " -d,--days        (optional number) Override certificate validity duration.\n"
    "                                    Default: 1095 days (3 years)\n";

namespace {

constexpr char kDefaultCertFile[] = "./cluster.crt";
constexpr char kDefaultKeyFile[] = "./cluster.key";

// A whole number of days, 1 or more; Kong's lapp takes any number, this build whole days only.
bool ParseDays(const std::string& text, int* days) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  char* end = nullptr;
  long value = std::strtol(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || value < 1 || value > INT_MAX) return false;
  *days = static_cast<int>(value);
  return true;
}

// pl.path.abspath: against the current directory, without resolving symlinks.
std::string AbsolutePath(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char buf[PATH_MAX];
  if (::getcwd(buf, sizeof buf) == nullptr) return path;
  std::string cwd(buf);
  std::string rel = path;
  while (rel.rfind("./", 0) == 0) rel.erase(0, 2);
  if (rel.empty() || rel == ".") return cwd;
  return cwd == "/" ? "/" + rel : cwd + "/" + rel;
}

int GenCert(const ParsedArgs& parsed) {
  int days = CertGenOptions().days;
  auto it = parsed.options.find("--days");
  if (it != parsed.options.end() && !ParseDays(it->second, &days)) {
    PrintError("invalid value for --days: '" + it->second +
               "' (expected a whole number of days, 1 or more)");
    return 1;
  }
  // positionals[0] is "gen_cert" itself.
  size_t paths = parsed.positionals.size() - 1;
  if (paths != 0 && paths != 2) {
    PrintError("both cert and key path needs to be provided");
    return 1;
  }
  std::string cert = AbsolutePath(paths == 2 ? parsed.positionals[1] : kDefaultCertFile);
  std::string key = AbsolutePath(paths == 2 ? parsed.positionals[2] : kDefaultKeyFile);

  CertGenOptions options;
  options.days = days;
  Log(CliLevel::kVerbose,
      "generating a secp384r1 certificate/key pair valid for " + std::to_string(days) + " days");
  Result<CertPair> pair = CertGen::Generate(options);
  if (!pair.ok()) {
    PrintError(pair.status().message());
    return 1;
  }
  Status written = CertGen::WriteFiles(*pair, cert, key);
  if (!written.ok()) {
    PrintError(written.message());
    return 1;
  }
  Log(CliLevel::kInfo,
      "Successfully generated certificate/key pairs, they have been written to: '" + cert +
          "' and '" + key + "'.");
  return 0;
}

}  // namespace

int RunHybrid(const std::vector<std::string>& args) {
  if (WantsHelp(args)) {
    std::fputs(kHybridUsage, stdout);
    std::fputs(kGlobalOptionsUsage, stdout);
    return 0;
  }
  Result<ParsedArgs> parsed = ParseArgs(args, {{"-d", "--days", /*takes_value=*/true}});
  if (!parsed.ok()) {
    PrintError(parsed.status().message());
    return 1;
  }
  if (parsed->positionals.empty()) {
    // Kong prints the usage and fails when no subcommand is given.
    std::fputs(kHybridUsage, stderr);
    std::fputs(kGlobalOptionsUsage, stderr);
    return 1;
  }
  const std::string& sub = parsed->positionals[0];
  if (sub != "gen_cert") {
    std::fprintf(stderr, "No such command for hybrid: %s\n", sub.c_str());
    return 1;
  }
  return GenCert(*parsed);
}

}  // namespace kong::cli
