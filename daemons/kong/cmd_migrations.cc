// `kong migrations bootstrap|up|finish|list|status|reset`: Kong's kong/cmd/migrations.lua
// over kong/database.h, with its texts and exit codes (list: 3 needs bootstrap, 5 new steps).
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"
#include "common/cli_args.h"
#include "common/cli_log.h"
#include "kong/conf.h"
#include "kong/database.h"

namespace kong::cli {

const char kMigrationsUsage[] =
    "Usage: kong migrations COMMAND [OPTIONS]\n"
    "\n"
    "Manage database schema migrations.\n"
    "\n"
    "The available commands are:\n"
    "  bootstrap                         Bootstrap the database and run all\n"
    "                                    migrations.\n"
    "\n"
    "  up                                Run any new migrations.\n"
    "\n"
    "  finish                            Finish running any pending migrations after\n"
    "                                    'up'.\n"
    "\n"
    "  list                              List executed migrations.\n"
    "\n"
    "  reset                             Reset the database.\n"
    "\n"
    "  status                            Dump the database migration status in JSON format.\n"
    "\n"
    "Options:\n"
    " -y,--yes                           Assume \"yes\" to prompts and run\n"
    "                                    non-interactively.\n"
    "\n"
    " -q,--quiet                         Suppress all output.\n"
    "\n"
    " -f,--force                         Run migrations even if database reports\n"
    "                                    as already executed.\n"
    "\n"
    " --db-timeout     (default 60)      Timeout, in seconds, for all database\n"
    "                                    operations.\n"
    "\n"
    " --lock-timeout   (default 60)      Timeout, in seconds, for nodes waiting on\n"
    "                                    the leader node to finish running\n"
    "                                    migrations.\n"
    "\n"
    " -c,--conf        (optional string) Configuration file.\n"
    "\n"
    " -p,--prefix      (optional string) Override prefix directory.\n"
    "\n";

// Text Kong prints when the database was never bootstrapped (migrations_utils.lua).
static const char kNeedsBootstrap[] =
    "Database needs bootstrapping or is older than Kong 1.0.\n\n"
    "To start a new installation from scratch, run 'kong migrations bootstrap'.\n\n"
    "To migrate from a version older than 1.0, migrated to Kong 1.5.0 first. \n"
    "If you still have 'apis' entities, you can convert them to Routes and Services\n"
    "using the 'kong migrations migrate-apis' command in Kong 1.5.0.\n\n";

Result<Conf> LoadCommandConf(const ParsedArgs& parsed) {
  ConfSources sources;
  auto conf_it = parsed.options.find("--conf");
  if (conf_it != parsed.options.end()) {
    sources.path = conf_it->second;
  } else {
    sources.search_default_paths = true;
  }
  auto prefix_it = parsed.options.find("--prefix");
  if (prefix_it != parsed.options.end()) sources.overrides["prefix"] = prefix_it->second;
  sources.env = ProcessEnvironment();
  return Conf::Load(sources);
}

namespace {

bool quiet = false;

void Say(const std::string& line) {
  if (!quiet) Log(CliLevel::kInfo, line);
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string JsonList(const std::vector<std::string>& names) {
  std::string out = "[";
  for (const std::string& n : names) out += (out.size() > 1 ? ",\"" : "\"") + n + "\"";
  return out + "]";
}

// Kong's confirm(): up to three tries; only y/Y (yes) or n/N (no) count.
bool Confirm(const std::string& question) {
  for (int tries = 0; tries < 3; ++tries) {
    std::fputs(("> " + question + " [Y/n] ").c_str(), stdout);
    std::fflush(stdout);
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    if (answer == "y" || answer == "Y") return true;
    if (answer == "n" || answer == "N") return false;
  }
  return false;
}

std::string DatabaseName(const Conf& conf) {
  return conf.GetString("database") == "postgres" ? conf.GetString("pg_database")
                                                  : conf.GetString("sqlite_path");
}

// The summary Kong's run_migrations prints after applying `steps`.
void ReportApplied(const Conf& conf, const std::vector<std::string>& steps) {
  Say("migrating core on database '" + DatabaseName(conf) + "'...");
  for (const std::string& s : steps) Say("core migrated up to: " + s + " (executed)");
  Say(std::to_string(steps.size()) + " migration" + (steps.size() == 1 ? "" : "s") +
      " processed");
  Say(std::to_string(steps.size()) + " executed");
  Say("Database is up-to-date");
}

int Fail(const Status& s) {
  PrintError(s.message());
  return 1;
}

int Bootstrap(const Conf& conf) {
  Result<MigrationsState> state = GetMigrationsState(conf);
  if (!state.ok()) return Fail(state.status());
  if (state->bootstrapped) {
    Say("Database already bootstrapped");
    return 0;
  }
  Say("Bootstrapping database...");
  if (Status s = BootstrapDatabase(conf); !s.ok()) return Fail(s);
  ReportApplied(conf, state->pending);
  return 0;
}

int Up(const Conf& conf) {
  Result<MigrationsState> state = GetMigrationsState(conf);
  if (!state.ok()) return Fail(state.status());
  if (!state->bootstrapped) return Fail(Status::Unavailable(std::string("Cannot run migrations: ") + kNeedsBootstrap));
  if (state->pending.empty()) {
    Say("Database is already up-to-date");
    return 0;
  }
  if (Status s = MigrateDatabase(conf); !s.ok()) return Fail(s);
  ReportApplied(conf, state->pending);
  return 0;
}

int Finish(const Conf& conf) {
  Result<MigrationsState> state = GetMigrationsState(conf);
  if (!state.ok()) return Fail(state.status());
  if (!state->bootstrapped) return Fail(Status::Unavailable(std::string("Cannot run migrations: ") + kNeedsBootstrap));
  // Every step here completes in `up` (no two-phase teardown steps), so there is never
  // anything left to finish; new steps still need `up`.
  if (!state->pending.empty()) {
    Say("New migrations available; run 'kong migrations up' to proceed");
    return 0;
  }
  Say("No pending migrations to finish");
  return 0;
}

int List(const Conf& conf) {
  Result<MigrationsState> state = GetMigrationsState(conf);
  if (!state.ok()) return Fail(state.status());
  if (!state->bootstrapped) {
    Say(kNeedsBootstrap);
    return 3;
  }
  std::string sep;
  if (!state->executed.empty()) {
    Say("Executed migrations:\ncore: " + Joined(state->executed));
    sep = "\n";
  }
  if (!state->pending.empty()) {
    Say(sep + "New migrations available:\ncore: " + Joined(state->pending));
    Say("\nRun 'kong migrations up' to proceed");
    return 5;
  }
  return 0;
}

int StatusJson(const Conf& conf) {
  Result<MigrationsState> state = GetMigrationsState(conf);
  if (!state.ok()) return Fail(state.status());
  std::string json = std::string("{\"needs_bootstrap\":") +
                     (state->bootstrapped ? "false" : "true") +
                     ",\"executed_migrations\":{\"core\":" + JsonList(state->executed) +
                     "},\"new_migrations\":{\"core\":" + JsonList(state->pending) +
                     "},\"pending_migrations\":{}}";
  std::puts(json.c_str());  // machine-readable: printed even with --quiet
  return 0;
}

int Reset(const Conf& conf, bool yes) {
  if (!yes && !Confirm("Are you sure? This operation is irreversible.")) return 0;
  Result<MigrationsState> state = GetMigrationsState(conf);
  if (!state.ok()) return Fail(state.status());
  if (!state->bootstrapped) {
    Say("Database not bootstrapped, nothing to reset");
    return 1;
  }
  Say("Resetting database...");
  if (Status s = ResetDatabase(conf); !s.ok()) return Fail(s);
  Say("Database successfully reset");
  return 0;
}

}  // namespace

int RunMigrations(const std::vector<std::string>& args) {
  if (WantsHelp(args)) {
    std::fputs(kMigrationsUsage, stdout);
    std::fputs(kGlobalOptionsUsage, stdout);
    return 0;
  }
  Result<ParsedArgs> parsed = ParseArgs(args, {{"-c", "--conf", true},
                                               {"-p", "--prefix", true},
                                               {"-y", "--yes", false},
                                               {"-q", "--quiet", false},
                                               {"-f", "--force", false},
                                               {"", "--db-timeout", true},
                                               {"", "--lock-timeout", true}});
  if (!parsed.ok()) return Fail(parsed.status());
  if (parsed->positionals.empty()) {
    std::fputs(kMigrationsUsage, stderr);
    return 1;
  }
  const std::string command = parsed->positionals[0];
  if (parsed->positionals.size() > 1) {
    return Fail(Status::InvalidArgument("unexpected argument: " + parsed->positionals[1]));
  }
  quiet = parsed->Has("--quiet");
  Result<Conf> conf = LoadCommandConf(*parsed);
  if (!conf.ok()) return Fail(conf.status());
  if (conf->GetString("database") == "off") {
    return Fail(Status::InvalidArgument("cannot run migrations with database=off"));
  }
  if (command == "bootstrap") return Bootstrap(*conf);
  if (command == "up") return Up(*conf);
  if (command == "finish") return Finish(*conf);
  if (command == "list") return List(*conf);
  if (command == "status") return StatusJson(*conf);
  if (command == "reset") return Reset(*conf, parsed->Has("--yes"));
  std::fputs(kMigrationsUsage, stderr);
  return 1;
}

}  // namespace kong::cli
