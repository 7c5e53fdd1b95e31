// ConsumerIndex: the consumers and their credentials (keyauth_credentials,
// basicauth_credentials, acls) of one configuration, indexed for the auth plugins. Built once
// per snapshot from Kong's flat declarative config; immutable, shared by every worker.
#ifndef KONG_PLUGINS_CONSUMERS_H_
#define KONG_PLUGINS_CONSUMERS_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "json/value.h"
#include "kong/status.h"

namespace kong::plugins {

struct Consumer {
  std::string id;
  std::optional<std::string> username;
  std::optional<std::string> custom_id;
  std::vector<std::string> groups;  // from `acls`, in config order
};

// What X-Credential-Identifier carries: the key-auth credential's id, the basic-auth username.
struct Credential {
  std::string id;
  std::string identifier;
  const Consumer* consumer = nullptr;
};

struct BasicAuthCredential {
  Credential credential;
  std::string password_hash;  // as stored by the CP (SHA-1 hex of password .. consumer_id)
};

class ConsumerIndex {
 public:
  // Reads `consumers`, `keyauth_credentials`, `basicauth_credentials` and `acls` of the flat
  // config; a credential naming an unknown consumer is kInvalidArgument naming it.
  static Result<std::shared_ptr<const ConsumerIndex>> Build(const json::Value& flat_config);
  static std::shared_ptr<const ConsumerIndex> Empty();

  const Consumer* FindById(std::string_view id) const;
  // Kong's anonymous lookup: by id, then by username.
  const Consumer* FindByIdOrUsername(std::string_view id_or_username) const;
  // Key-auth: nullptr for an unknown key.
  const Credential* FindKey(std::string_view key) const;
  const BasicAuthCredential* FindBasicAuth(std::string_view username) const;
  size_t consumer_count() const { return consumers_.size(); }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  template <typename T>
  using Map = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

  std::vector<std::unique_ptr<Consumer>> consumers_;
  Map<const Consumer*> by_id_;
  Map<const Consumer*> by_username_;
  Map<std::unique_ptr<Credential>> keys_;
  Map<std::unique_ptr<BasicAuthCredential>> basic_;
};

}  // namespace kong::plugins

#endif  // KONG_PLUGINS_CONSUMERS_H_
