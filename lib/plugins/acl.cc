// acl (priority 950): Kong 3.10's handler.lua. The groups checked are the authenticated
// consumer's (`acls`), or the groups an auth plugin authenticated (kong.client's
// authenticated_groups) when there is no consumer, when the consumer is anonymous (no
// credential), or always with always_use_authenticated_groups. Neither: 401 "Unauthorized"
// (403 when a credential exists). A denied group, or no allowed one: 403 "You cannot consume
// this service". Allowed requests carry X-Consumer-Groups (consumer groups) or
// X-Authenticated-Groups upstream, comma-space joined, unless hide_groups_header.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "plugins/config_fields.h"
#include "plugins/consumers.h"
#include "plugins/factory.h"

namespace kong::plugins {
namespace {

struct AclConfig {
  bool deny = false;  // Kong: deny when config.deny has an element, else allow
  std::vector<std::string> groups;
  bool hide_groups_header = false;
  bool always_use_authenticated_groups = false;
};

class Acl final : public Plugin {
 public:
  Acl(PluginSpec spec, AclConfig config) : Plugin(std::move(spec)), config_(std::move(config)) {}

  uint32_t phases() const override { return kAccessPhase; }

  Flow Access(PluginContext& ctx) const override {
    const Consumer* consumer = ctx.consumer();
    const bool has_credential = ctx.credential() != nullptr;
    // Kong's get_authenticated_groups(): nil when no plugin set any.
    const std::vector<std::string>* authenticated =
        ctx.authenticated_groups.empty() ? nullptr : &ctx.authenticated_groups;

    const std::vector<std::string>* groups = nullptr;
    const char* header = "X-Authenticated-Groups";
    if (consumer == nullptr) {
      if (authenticated == nullptr) {
        if (has_credential) return Forbidden(ctx);
        ctx.Exit(401, "Unauthorized");
        return Flow::kExit;
      }
      groups = authenticated;
    } else if (authenticated != nullptr &&
               (!has_credential || config_.always_use_authenticated_groups)) {
      // Authenticated groups override an anonymous consumer's groups.
      groups = authenticated;
    } else {
      groups = &consumer->groups;
      header = "X-Consumer-Groups";
    }

    if (InAnyGroup(*groups) == config_.deny) return Forbidden(ctx);
    if (!config_.hide_groups_header) {
      // set_header with "" (a consumer without groups, deny list) sets nothing in nginx.
      if (groups->empty()) {
        ctx.request.headers.Remove(header);
      } else {
        ctx.request.headers.Set(header, config::Join(*groups, ", "));
      }
    }
    return Flow::kContinue;
  }

 private:
  bool InAnyGroup(const std::vector<std::string>& groups) const {
    return std::any_of(config_.groups.begin(), config_.groups.end(), [&groups](const auto& g) {
      return std::find(groups.begin(), groups.end(), g) != groups.end();
    });
  }

  static Flow Forbidden(PluginContext& ctx) {
    ctx.Exit(403, "You cannot consume this service");
    return Flow::kExit;
  }

  AclConfig config_;
};

Result<std::unique_ptr<Plugin>> CreateAcl(PluginSpec spec, const PluginEnv&) {
  const json::Value* c = spec.config;
  AclConfig config;
  std::vector<std::string> deny = config::Strings(c, "deny").value_or(std::vector<std::string>{});
  config.deny = !deny.empty();
  config.groups = config.deny ? std::move(deny)
                              : config::Strings(c, "allow").value_or(std::vector<std::string>{});
  config.hide_groups_header = config::Bool(c, "hide_groups_header", false);
  config.always_use_authenticated_groups =
      config::Bool(c, "always_use_authenticated_groups", false);
  return std::unique_ptr<Plugin>(new Acl(std::move(spec), std::move(config)));
}

}  // namespace

PluginDescriptor AclDescriptor() { return {"acl", 950, CreateAcl}; }

}  // namespace kong::plugins
