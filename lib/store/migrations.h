// Versioned schema migrations per backend, tracked in `schema_migrations`, with Kong's
// bootstrap / up / list semantics and messages.
#ifndef KONG_STORE_MIGRATIONS_H_
#define KONG_STORE_MIGRATIONS_H_

#include <string>
#include <vector>

#include "kong/status.h"
#include "store/sql_connection.h"

namespace kong::store {

// Kong's texts (kong/cmd/utils/migrations.lua), verbatim: the CLI prints them as they are.
extern const char kNeedsBootstrapMessage[];
extern const char kNewMigrationsMessage[];

// A named step ("000_base") and the DDL that applies it. Steps run in list order and never
// change once released: a schema change is a new step.
struct MigrationStep {
  std::string name;
  std::string sql;
};

// Every step of `backend`, oldest first.
const std::vector<MigrationStep>& MigrationSteps(Backend backend);

struct MigrationState {
  bool bootstrapped = false;
  std::vector<std::string> executed;  // known steps in list order, then unknown names (newer)
  std::vector<std::string> pending;   // steps not yet executed, in list order
};

// Runs migrations over one connection. Each call is one transaction holding the migration
// lock, so concurrent CP nodes cannot apply a step twice.
class Migrator {
 public:
  Migrator(SqlConnection& conn, std::vector<MigrationStep> steps)
      : conn_(conn), steps_(std::move(steps)) {}

  Result<MigrationState> State();
  // Creates the schema and `schema_migrations`, runs every step. A no-op on a bootstrapped
  // database (Kong: "Database already bootstrapped").
  Status Bootstrap();
  // Applies pending steps; a no-op when up to date. kUnavailable with
  // "Cannot run migrations: " + kNeedsBootstrapMessage when not bootstrapped.
  Status Up();
  // Drops every object of the store (`kong migrations reset`).
  Status Reset();
  // OK when bootstrapped with nothing pending; else kUnavailable with kNeedsBootstrapMessage
  // or kNewMigrationsMessage.
  Status CheckUpToDate();

 private:
  Result<MigrationState> StateInTxn();
  Status Apply(const std::vector<std::string>& names);

  SqlConnection& conn_;
  std::vector<MigrationStep> steps_;
};

}  // namespace kong::store

#endif  // KONG_STORE_MIGRATIONS_H_
