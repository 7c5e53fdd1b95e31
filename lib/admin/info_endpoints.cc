// GET /, /status, /endpoints and /plugins/enabled (kong/api/routes/kong.lua, health.lua), and
// RegisterInfoEndpoints, which wires every info endpoint.
#include "admin/info_endpoints.h"

#include <unistd.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "admin/responses.h"
#include "dao/dao.h"
#include "schema/plugin_registry.h"

namespace kong::admin {
namespace {

using Context = std::shared_ptr<const InfoContext>;

EndpointContext StoreContext(const InfoContext& ctx) {
  return EndpointContext{ctx.store, ctx.catalog, ctx.log};
}

// {"<name>": {"version": ..., "priority": ...}} for every plugin this node can run.
json::Value AvailablePlugins(const schema::PluginSchemaRegistry* registry) {
  json::Value out = json::Value::EmptyObject();
  if (registry == nullptr) return out;
  for (const std::string& name : registry->Names()) {
    const schema::PluginSchema* p = registry->Find(name);
    json::Value entry = json::Value::EmptyObject();
    entry.Set("version", p->version);
    entry.Set("priority", p->priority);
    out.Set(name, std::move(entry));
  }
  return out;
}

// The distinct plugin names configured in the database, in the order their rows are listed
// (Kong iterates kong.db.plugins:each()).
dao::DaoResult<json::Value> EnabledInCluster(dao::Dao& dao) {
  json::Value names = json::Value::EmptyArray();
  std::set<std::string> seen;
  dao::ListOptions options;
  options.size = 1000;
  while (true) {
    dao::DaoResult<dao::ListPage> page = dao.List("plugins", options);
    if (!page.ok()) return page.error();
    for (const json::Value& plugin : page.value().data.as_array()) {
      const json::Value* name = plugin.Find("name");
      if (name && name->is_string() && seen.insert(name->as_string()).second) {
        names.as_array().push_back(*name);
      }
    }
    if (!page.value().offset) return names;
    options.offset = *page.value().offset;
  }
}

json::Value RootBody(const InfoContext& ctx, json::Value enabled_in_cluster) {
  json::Value body = json::Value::EmptyObject();
  body.Set("tagline", "Welcome to kong");
  body.Set("version", ctx.node.version);
  body.Set("edition", "community");
  body.Set("hostname", ctx.node.hostname);
  body.Set("node_id", ctx.node.node_id);
  json::Value plugins = json::Value::EmptyObject();
  plugins.Set("available_on_server", AvailablePlugins(ctx.catalog.plugins()));
  plugins.Set("enabled_in_cluster", std::move(enabled_in_cluster));
  body.Set("plugins", std::move(plugins));
  json::Value configuration = json::Value::EmptyObject();
  for (const auto& [key, value] : ctx.node.configuration) configuration.Set(key, value);
  body.Set("configuration", std::move(configuration));
  // One process serves everything: it is both Kong's nginx master and its only worker.
  const int64_t pid = static_cast<int64_t>(getpid());
  json::Value pids = json::Value::EmptyObject();
  pids.Set("master", pid);
  pids.Set("workers", json::Value(json::Array{json::Value(pid)}));
  body.Set("pids", std::move(pids));
  return body;
}

// Kong sorts GET /endpoints with "/" below every other character, so a path's children come
// right after it ("/a", "/a/b", "/a-b").
std::vector<std::string> KongEndpointOrder(std::vector<std::string> endpoints) {
  auto key = [](std::string s) {
    std::replace(s.begin(), s.end(), '/', '\0');
    return s;
  };
  std::sort(endpoints.begin(), endpoints.end(),
            [&](const std::string& a, const std::string& b) { return key(a) < key(b); });
  endpoints.erase(std::unique(endpoints.begin(), endpoints.end()), endpoints.end());
  return endpoints;
}

}  // namespace

void RegisterNodeEndpoints(AdminApi& api, const Context& ctx) {
  api.AddEndpoint("GET", "/", [ctx](http::Request&, http::ResponseWriter& writer,
                                    const AdminApi::PathParams&) {
    RunOnStore(StoreContext(*ctx), writer, [ctx](dao::Dao& dao) -> StoreReply {
      dao::DaoResult<json::Value> enabled = EnabledInCluster(dao);
      if (!enabled.ok()) return StoreReply::FromError(enabled.error());
      return JsonResponse(200, RootBody(*ctx, std::move(enabled).value()));
    });
  });

  // health.lua: the database is "reachable" when a query gets through. Kong answers 200 either
  // way (a failed connection is logged).
  api.AddEndpoint("GET", "/status", [ctx](http::Request&, http::ResponseWriter& writer,
                                          const AdminApi::PathParams&) {
    ctx->store.Submit([](store::Store& store) { return store.ConfigVersion(); },
                      [writer, log = ctx->log](Result<int64_t> version) mutable {
                        if (!version.ok() && log) {
                          log(LogLevel::kError, "admin api: database unreachable during "
                                                "/status check: " +
                                                    version.status().ToString());
                        }
                        json::Value database = json::Value::EmptyObject();
                        database.Set("reachable", version.ok());
                        json::Value body = json::Value::EmptyObject();
                        body.Set("database", std::move(database));
                        Reply(writer, JsonResponse(200, body));
                      });
  });

  api.AddEndpoint("GET", "/plugins/enabled", [ctx](http::Request&, http::ResponseWriter& writer,
                                                   const AdminApi::PathParams&) {
    json::Value names = json::Value::EmptyArray();
    if (const schema::PluginSchemaRegistry* registry = ctx->catalog.plugins()) {
      for (const std::string& name : registry->Names()) names.as_array().emplace_back(name);
    }
    json::Value body = json::Value::EmptyObject();
    body.Set("enabled_plugins", std::move(names));
    Reply(writer, JsonResponse(200, body));
  });

  // The AdminApi owns the router that holds this handler, so `api` outlives it.
  AdminApi* admin = &api;
  api.AddEndpoint("GET", "/endpoints", [admin](http::Request&, http::ResponseWriter& writer,
                                               const AdminApi::PathParams&) {
    json::Value data = json::Value::EmptyArray();
    for (std::string& e : KongEndpointOrder(admin->endpoints())) {
      data.as_array().emplace_back(std::move(e));
    }
    json::Value body = json::Value::EmptyObject();
    body.Set("data", std::move(data));
    Reply(writer, JsonResponse(200, body));
  });
}

void RegisterInfoEndpoints(AdminApi& api, InfoContext context) {
  auto ctx = std::make_shared<const InfoContext>(std::move(context));
  RegisterNodeEndpoints(api, ctx);
  RegisterSchemaEndpoints(api, ctx);
  RegisterConfigEndpoints(api, ctx);
}

}  // namespace kong::admin
