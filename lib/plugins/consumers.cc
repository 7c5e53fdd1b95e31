// ConsumerIndex::Build: consumers, key-auth/basic-auth credentials and ACL groups of one flat
// config.
#include "plugins/consumers.h"

#include <unordered_map>

#include "base/macros.h"

namespace kong::plugins {
namespace {

const std::string* StringField(const json::Value& row, std::string_view field) {
  const json::Value* v = row.Find(field);
  return v != nullptr && v->is_string() ? &v->as_string() : nullptr;
}

std::optional<std::string> OptionalString(const json::Value& row, std::string_view field) {
  const std::string* s = StringField(row, field);
  return s ? std::optional<std::string>(*s) : std::nullopt;
}

// A foreign key in the flat config: {"consumer":{"id":"..."}}, or a bare id.
const std::string* ForeignId(const json::Value& row, std::string_view field) {
  const json::Value* v = row.Find(field);
  if (v == nullptr) return nullptr;
  if (v->is_string()) return &v->as_string();
  return v->is_object() ? StringField(*v, "id") : nullptr;
}

const json::Array* Rows(const json::Value& flat, std::string_view entity) {
  const json::Value* v = flat.Find(entity);
  return v != nullptr && v->is_array() ? &v->as_array() : nullptr;
}

std::string Where(std::string_view entity, size_t i) {
  return "$." + std::string(entity) + "[" + std::to_string(i) + "]";
}

}  // namespace

Result<std::shared_ptr<const ConsumerIndex>> ConsumerIndex::Build(const json::Value& flat_config) {
  auto index = std::make_shared<ConsumerIndex>();
  std::unordered_map<std::string_view, Consumer*> owners;  // by id, mutable while building
  if (const json::Array* rows = Rows(flat_config, "consumers")) {
    for (size_t i = 0; i < rows->size(); ++i) {
      const json::Value& row = (*rows)[i];
      const std::string* id = StringField(row, "id");
      if (id == nullptr) return Status::InvalidArgument(Where("consumers", i) + ".id: missing");
      auto consumer = std::make_unique<Consumer>();
      consumer->id = *id;
      consumer->username = OptionalString(row, "username");
      consumer->custom_id = OptionalString(row, "custom_id");
      index->by_id_[consumer->id] = consumer.get();
      owners[consumer->id] = consumer.get();
      if (consumer->username) index->by_username_[*consumer->username] = consumer.get();
      index->consumers_.push_back(std::move(consumer));
    }
  }

  // Each credential row: its id and its consumer, which must exist.
  auto owner = [&owners](const json::Value& row, std::string_view entity,
                        size_t i) -> Result<Consumer*> {
    const std::string* consumer_id = ForeignId(row, "consumer");
    if (consumer_id == nullptr) {
      return Status::InvalidArgument(Where(entity, i) + ".consumer: missing");
    }
    auto it = owners.find(*consumer_id);
    if (it == owners.end()) {
      return Status::InvalidArgument(Where(entity, i) + ".consumer: unknown consumer " +
                                     *consumer_id);
    }
    return it->second;
  };

  if (const json::Array* rows = Rows(flat_config, "keyauth_credentials")) {
    for (size_t i = 0; i < rows->size(); ++i) {
      const json::Value& row = (*rows)[i];
      KONG_ASSIGN_OR_RETURN(Consumer * consumer, owner(row, "keyauth_credentials", i));
      const std::string* key = StringField(row, "key");
      if (key == nullptr) {
        return Status::InvalidArgument(Where("keyauth_credentials", i) + ".key: missing");
      }
      auto credential = std::make_unique<Credential>();
      credential->id = OptionalString(row, "id").value_or("");
      credential->identifier = credential->id;
      credential->consumer = consumer;
      index->keys_[*key] = std::move(credential);
    }
  }

  if (const json::Array* rows = Rows(flat_config, "basicauth_credentials")) {
    for (size_t i = 0; i < rows->size(); ++i) {
      const json::Value& row = (*rows)[i];
      KONG_ASSIGN_OR_RETURN(Consumer * consumer, owner(row, "basicauth_credentials", i));
      const std::string* username = StringField(row, "username");
      if (username == nullptr) {
        return Status::InvalidArgument(Where("basicauth_credentials", i) +
                                       ".username: missing");
      }
      auto basic = std::make_unique<BasicAuthCredential>();
      basic->credential.id = OptionalString(row, "id").value_or("");
      basic->credential.identifier = *username;
      basic->credential.consumer = consumer;
      basic->password_hash = OptionalString(row, "password").value_or("");
      index->basic_[*username] = std::move(basic);
    }
  }

  if (const json::Array* rows = Rows(flat_config, "acls")) {
    for (size_t i = 0; i < rows->size(); ++i) {
      const json::Value& row = (*rows)[i];
      KONG_ASSIGN_OR_RETURN(Consumer * consumer, owner(row, "acls", i));
      const std::string* group = StringField(row, "group");
      if (group == nullptr) return Status::InvalidArgument(Where("acls", i) + ".group: missing");
      consumer->groups.push_back(*group);
    }
  }
  return std::shared_ptr<const ConsumerIndex>(std::move(index));
}

std::shared_ptr<const ConsumerIndex> ConsumerIndex::Empty() {
  static const std::shared_ptr<const ConsumerIndex> empty = std::make_shared<ConsumerIndex>();
  return empty;
}

const Consumer* ConsumerIndex::FindById(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

const Consumer* ConsumerIndex::FindByIdOrUsername(std::string_view id_or_username) const {
  if (const Consumer* c = FindById(id_or_username)) return c;
  auto it = by_username_.find(id_or_username);
  return it == by_username_.end() ? nullptr : it->second;
}

const Credential* ConsumerIndex::FindKey(std::string_view key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : it->second.get();
}

const BasicAuthCredential* ConsumerIndex::FindBasicAuth(std::string_view username) const {
  auto it = basic_.find(username);
  return it == basic_.end() ? nullptr : it->second.get();
}

}  // namespace kong::plugins
