// targets (targets.lua + the targets DAO): upstream members as host[:port], port 8000 when
// omitted, weight 0..65535.
#include "schema/entities/entities.h"
#include "schema/host_syntax.h"
#include "schema/typedefs.h"

namespace kong::schema {
namespace {
constexpr int kDefaultTargetPort = 8000;
}  // namespace

EntitySchema TargetsSchema() {
  EntitySchema s;
  s.name = "targets";
  s.endpoint_key = "target";
  s.cache_key = {"upstream", "target"};
  s.workspaceable = true;
  Field upstream = Foreign("upstreams", "cascade");
  upstream.required = true;
  Field target = StringField();
  target.required = true;
  target.custom_validator = [](const json::Value& v) -> std::optional<std::string> {
    if (!v.is_string()) return std::nullopt;
    std::string err;
    if (NormalizeIp(v.as_string(), &err)) return std::nullopt;
    return "Invalid target ('" + v.as_string() + "'); not a valid hostname or ip address";
  };
  Field weight = IntegerField();
  weight.default_value = json::Value(100);
  weight.between = {0, 65535};
  s.fields = {
      {"id", typedefs::Uuid()},
      {"created_at", typedefs::AutoTimestampMs()},
      {"updated_at", typedefs::AutoTimestampMs()},
      {"upstream", upstream},
      {"target", target},
      {"weight", weight},
      {"tags", typedefs::Tags()},
  };
  // The DAO stores the normalized form, so "10.0.0.1" and "10.0.0.1:8000" are one target.
  s.normalize_input = [](json::Value& e) {
    json::Value* t = e.Find("target");
    if (t == nullptr || !t->is_string()) return;
    std::string err;
    if (std::optional<NormalizedHost> h = NormalizeIp(t->as_string(), &err)) {
      *t = json::Value(FormatHost(*h, kDefaultTargetPort));
    }
  };
  return s;
}

}  // namespace kong::schema
