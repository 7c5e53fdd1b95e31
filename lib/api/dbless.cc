// DB-less traditional node: declarative_config imported into an in-memory store, entity writes
// refused with Kong's off-strategy errors.
#include "api/dbless.h"

#include <vector>

#include "admin/responses.h"
#include "base/files.h"
#include "base/macros.h"
#include "base/text.h"
#include "dao/dao.h"
#include "declarative/declarative.h"

namespace kong::api {

namespace {

// kong/db/strategies/off: the verb each refused DAO operation names.
const char* VerbOf(const std::string& method) {
  if (method == "POST") return "create";
  if (method == "PATCH") return "update";
  if (method == "PUT") return "create or update";
  return "remove";
}

void AddRefusal(admin::AdminApi& admin, const std::string& pattern, const std::string& entity,
                std::initializer_list<const char*> methods) {
  for (const char* method : methods) {
    const std::string verb = VerbOf(method);
    admin.AddEndpoint(method, pattern,
                      [verb, entity](http::Request&, http::ResponseWriter& writer,
                                     const admin::AdminApi::PathParams&) {
                        json::Value body = json::Value::EmptyObject();
                        body.Set("code", int64_t{12});
                        body.Set("name", "operation unsupported");
                        body.Set("message", "cannot " + verb + " '" + entity +
                                                "' entities when not using a database");
                        admin::Reply(writer, admin::JsonResponse(405, body));
                      });
  }
}

}  // namespace

bool IsDbless(const Conf& conf) { return conf.GetString("database") == "off"; }

store::StoreOptions DblessStoreOptions() {
  store::StoreOptions options;
  options.backend = store::Backend::kSqlite;
  options.sqlite.path = ":memory:";
  options.auto_bootstrap = true;
  return options;
}

Status LoadDeclarativeConfig(const Conf& conf, store::Store& db, const schema::Catalog& catalog) {
  if (!conf.Has("declarative_config")) return Status::Ok();
  const std::string path = base::AbsolutePath(conf.GetString("declarative_config"));
  auto fail = [&](const std::string& why) {
    return Status::InvalidArgument("declarative_config " + path + ": " + why);
  };
  Result<std::string> text = base::ReadFile(path);
  if (!text.ok()) return fail(text.status().message());
  declarative::DeclarativeError error;
  Result<json::Value> flat =
      declarative::LoadDeclarative(*text, declarative::FormatForPath(path), catalog, &error);
  if (!flat.ok()) return fail(error.message.empty() ? flat.status().message() : error.message);
  dao::Dao dao(db, catalog);
  dao::DaoResult<int64_t> imported = dao.Import(*flat);
  if (!imported.ok()) {
    const dao::DaoError& e = imported.error();
    const json::Value* message = e.body.Find("message");
    return fail(message && message->is_string() ? message->as_string()
                                                : (e.detail.empty() ? json::Serialize(e.body)
                                                                    : e.detail));
  }
  return Status::Ok();
}

void RefuseEntityWrites(admin::AdminApi& admin, const schema::Catalog& catalog) {
  // The shapes entity_endpoints.h registers; the entity named is the one written.
  for (const std::string& pattern : admin.endpoints()) {
    std::vector<std::string> segments;
    for (std::string& s : base::SplitTrimmed(pattern, '/')) {
      if (!s.empty()) segments.push_back(std::move(s));
    }
    auto literal = [&](size_t i) { return i < segments.size() && segments[i][0] != '{'; };
    auto entity = [&](size_t i) { return literal(i) && catalog.Find(segments[i]) != nullptr; };
    if (!entity(0)) continue;  // /config, /schemas/..., /clustering/...: not entity writes
    switch (segments.size()) {
      case 1:  // /E
        AddRefusal(admin, pattern, segments[0], {"POST"});
        break;
      case 2:  // /E/{E}
        if (!literal(1)) AddRefusal(admin, pattern, segments[0], {"PATCH", "PUT", "DELETE"});
        break;
      case 3:  // /P/{P}/child, or /E/{E}/fk (which writes the referenced parent)
        if (literal(1)) break;
        if (entity(2)) {
          AddRefusal(admin, pattern, segments[2], {"POST"});
        } else if (literal(2)) {
          AddRefusal(admin, pattern, segments[0], {"PATCH", "PUT"});
        }
        break;
      case 4:  // /P/{P}/child/{child}
        if (!literal(1) && entity(2) && !literal(3)) {
          AddRefusal(admin, pattern, segments[2], {"PATCH", "PUT", "DELETE"});
        }
        break;
      default:
        break;
    }
  }
}

}  // namespace kong::api
