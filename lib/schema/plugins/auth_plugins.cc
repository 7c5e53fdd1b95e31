// key-auth, basic-auth and acl: config schemas (schema.lua), priorities (handler.lua) and their
// consumer-owned entities (daos.lua): keyauth_credentials, basicauth_credentials, acls.
#include <string>

#include "pki/digest.h"
#include "schema/plugins/bundled.h"
#include "schema/plugins/plugin_fields.h"
#include "schema/typedefs.h"

namespace kong::schema {
namespace {

using plugin_fields::ArrayOfStrings;
using plugin_fields::CredentialEntity;
using plugin_fields::DefaultBoolean;
using plugin_fields::DefaultString;
using plugin_fields::RequiredBoolean;

const std::vector<std::string> kHttpOnly{"grpc", "grpcs", "http", "https"};

std::string Hex(const std::array<unsigned char, 20>& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : digest) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

bool IsSha1Hex(const std::string& s) {
  if (s.size() != 40) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

EntitySchema KeyauthCredentials() {
  EntitySchema s = CredentialEntity("keyauth_credentials");
  s.endpoint_key = "key";
  s.admin_api_name = "key-auths";
  s.admin_api_nested_name = "key-auth";
  Field key = StringField();
  key.required = false;
  key.unique = true;
  key.auto_generated = true;
  s.fields.push_back({"key", key});
  s.fields.push_back({"tags", typedefs::Tags()});
  return s;
}

EntitySchema BasicauthCredentials() {
  EntitySchema s = CredentialEntity("basicauth_credentials");
  s.endpoint_key = "username";
  s.admin_api_name = "basic-auths";
  s.admin_api_nested_name = "basic-auth";
  Field username = StringField();
  username.required = true;
  username.unique = true;
  Field password = StringField();
  password.required = true;
  password.encrypted = true;
  s.fields.push_back({"username", username});
  s.fields.push_back({"password", password});
  s.fields.push_back({"tags", typedefs::Tags()});
  // crypto.lua: hex(SHA-1(password .. consumer_id)), whenever the caller sends a password.
  s.transform = [](json::Value& entity, const json::Value& input, bool declarative) {
    const json::Value* given = input.Find("password");
    if (given == nullptr || !given->is_string()) return;
    // An exported config carries the hash already; hashing it again would lock the user out.
    if (declarative && IsSha1Hex(given->as_string())) return;
    const json::Value* consumer = entity.Find("consumer");
    const json::Value* id = consumer != nullptr ? consumer->Find("id") : nullptr;
    std::string consumer_id = id != nullptr && id->is_string() ? id->as_string() : "";
    entity.Set("password", Hex(pki::Sha1(given->as_string() + consumer_id)));
  };
  return s;
}

EntitySchema Acls() {
  EntitySchema s = CredentialEntity("acls");
  s.cache_key = {"consumer", "group"};
  Field group = StringField();
  group.required = true;
  s.fields.push_back({"group", group});
  s.fields.push_back({"tags", typedefs::Tags()});
  return s;
}

}  // namespace

PluginSchema KeyAuthPlugin() {
  PluginSchema p;
  p.name = "key-auth";
  p.priority = 1250;
  p.protocols = kHttpOnly;
  p.no_consumer = true;
  Field key_names = ArrayOf(typedefs::HeaderName());
  key_names.required = true;
  key_names.default_value = Strings({"apikey"});
  Field realm = StringField();
  realm.required = false;
  p.config = {
      {"key_names", key_names},
      {"hide_credentials", RequiredBoolean(false)},
      {"anonymous", StringField()},
      {"key_in_header", RequiredBoolean(true)},
      {"key_in_query", RequiredBoolean(true)},
      {"key_in_body", RequiredBoolean(false)},
      {"run_on_preflight", RequiredBoolean(true)},
      {"realm", realm},
  };
  p.daos.push_back(KeyauthCredentials());
  return p;
}

PluginSchema BasicAuthPlugin() {
  PluginSchema p;
  p.name = "basic-auth";
  p.priority = 1100;
  p.protocols = kHttpOnly;
  p.no_consumer = true;
  p.config = {
      {"anonymous", StringField()},
      {"hide_credentials", RequiredBoolean(false)},
      {"realm", DefaultString("service", /*required=*/true)},
  };
  p.daos.push_back(BasicauthCredentials());
  return p;
}

PluginSchema AclPlugin() {
  PluginSchema p;
  p.name = "acl";
  p.priority = 950;
  p.protocols = kHttpOnly;
  p.no_consumer = true;
  p.config = {
      {"allow", ArrayOfStrings()},
      {"deny", ArrayOfStrings()},
      {"hide_groups_header", RequiredBoolean(false)},
      {"always_use_authenticated_groups", RequiredBoolean(false)},
      {"include_consumer_groups", DefaultBoolean(false)},
  };
  p.entity_checks = {
      OnlyOneOf({"config.allow", "config.deny"}),
      AtLeastOneOf({"config.allow", "config.deny"}),
  };
  p.daos.push_back(Acls());
  return p;
}

}  // namespace kong::schema
