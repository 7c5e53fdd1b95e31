// `kong config init|parse|db_import|db_export`: declarative configuration files (kong/cmd/config.lua)
// over kong/database.h.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "commands.h"
#include "common/cli_args.h"
#include "common/cli_log.h"
#include "kong/conf.h"
#include "kong/database.h"

namespace kong::cli {

const char kConfigUsage[] =
    "Usage: kong config COMMAND [OPTIONS]\n"
    "\n"
    "Use declarative configuration files with Kong.\n"
    "\n"
    "The available commands are:\n"
    "  init [<file>]                       Generate an example config file to\n"
    "                                      get you started. If a filename\n"
    "                                      is not given, ./kong.yml is used\n"
    "                                      by default.\n"
    "\n"
    "  db_import <file>                    Import a declarative config file into\n"
    "                                      the Kong database.\n"
    "\n"
    "  db_export [<file>]                  Export the Kong database into a\n"
    "                                      declarative config file. If a filename\n"
    "                                      is not given, ./kong.yml is used\n"
    "                                      by default.\n"
    "\n"
    "  parse <file>                        Parse a declarative config file (check\n"
    "                                      its syntax) but do not load it into Kong.\n"
    "\n"
    "Options:\n"
    " -c,--conf        (optional string)   Configuration file.\n"
    " -p,--prefix      (optional string)   Override prefix directory.\n"
    "\n";

namespace {

int Fail(const std::string& message) {
  PrintError(message);
  return 1;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("no file at: " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Io("could not read " + path);
  return text.str();
}

int Parse(const Conf& conf, const std::string& file) {
  Result<std::string> text = ReadWholeFile(file);
  if (!text.ok()) return Fail(text.status().message());
  Status s = ParseDeclarativeConfig(conf, *text, DeclarativeFormatForPath(file));
  if (!s.ok()) return Fail("Failed parsing:\n" + s.message());
  Log(CliLevel::kInfo, "parse successful");
  return 0;
}

int Import(const Conf& conf, const std::string& file) {
  Result<std::string> text = ReadWholeFile(file);
  if (!text.ok()) return Fail(text.status().message());
  Status parsed = ParseDeclarativeConfig(conf, *text, DeclarativeFormatForPath(file));
  if (!parsed.ok()) return Fail("Failed parsing:\n" + parsed.message());
  Log(CliLevel::kInfo, "parse successful, beginning import");
  Status s = ImportDeclarativeConfig(conf, *text, DeclarativeFormatForPath(file));
  if (!s.ok()) {
    if (s.code() == StatusCode::kConflict) return Fail("Failed importing:\n" + s.message());
    return Fail(s.message());
  }
  Log(CliLevel::kInfo, "import successful");
  return 0;
}

// Never overwrites: O_EXCL refuses an existing file, even one created meanwhile.
int Init(const std::string& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EEXIST) return Fail(file + " already exists.\nWill not overwrite it.");
  if (fd < 0) return Fail("could not create " + file + ": " + std::strerror(errno));
  const std::string text = kKongYmlTemplate;
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  written = ::close(fd) == 0 && written;
  if (!written) {
    ::unlink(file.c_str());
    return Fail("could not write " + file);
  }
  return 0;
}

int Export(const Conf& conf, const std::string& file) {
  struct stat st;
  if (stat(file.c_str(), &st) == 0) {
    return Fail(file + " already exists.\nWill not overwrite it.");
  }
  Status s = ExportDeclarativeConfigToFile(conf, file);
  if (s.code() == StatusCode::kConflict) return Fail(file + " already exists.\nWill not overwrite it.");
  if (!s.ok()) return Fail(s.message());
  Log(CliLevel::kVerbose, "exported configuration to " + file);
  return 0;
}

}  // namespace

int RunConfig(const std::vector<std::string>& args) {
  if (WantsHelp(args)) {
    std::fputs(kConfigUsage, stdout);
    std::fputs(kGlobalOptionsUsage, stdout);
    return 0;
  }
  Result<ParsedArgs> parsed = ParseArgs(args, {{"-c", "--conf", true}, {"-p", "--prefix", true}});
  if (!parsed.ok()) return Fail(parsed.status().message());
  const std::vector<std::string>& pos = parsed->positionals;
  if (pos.empty()) {
    std::fputs(kConfigUsage, stderr);
    return 1;
  }
  const std::string& command = pos[0];
  bool file_required = command == "parse" || command == "db_import";
  if (command != "init" && command != "parse" && command != "db_import" &&
      command != "db_export") {
    std::fputs(kConfigUsage, stderr);
    return 1;
  }
  if (file_required && pos.size() < 2) return Fail("expected a declarative configuration file");
  if (pos.size() > 2) return Fail("unexpected argument: " + pos[2]);
  if (command == "init") return Init(pos.size() > 1 ? pos[1] : "kong.yml");
  Result<Conf> conf = LoadCommandConf(*parsed);
  if (!conf.ok()) return Fail(conf.status().message());
  bool dbless = conf->GetString("database") == "off";
  if (command == "parse") return Parse(*conf, pos[1]);
  if (command == "db_import") {
    if (dbless) {
      return Fail("'kong config db_import' only works with a database.\n"
                  "When using database=off, reload your declarative configuration\n"
                  "using the /config endpoint.");
    }
    return Import(*conf, pos[1]);
  }
  if (dbless) return Fail("'kong config db_export' only works with a database.");
  return Export(*conf, pos.size() > 1 ? pos[1] : "kong.yml");
}

}  // namespace kong::cli
