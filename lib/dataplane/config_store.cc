// ConfigStore: declarative::Flatten as the DP's validation, ConfigCache as its persistence.
#include "dataplane/config_store.h"

#include <utility>

#include "declarative/declarative.h"

namespace kong::dataplane {

ConfigStore::ConfigStore(const schema::Catalog& catalog, std::string cache_path, size_t max_bytes)
    : catalog_(catalog),
      cache_(cache_path, max_bytes),
      cache_enabled_(!cache_path.empty()) {}

Result<std::shared_ptr<const ConfigSnapshot>> ConfigStore::Validate(
    const json::Value& config_table, const std::string& config_hash) const {
  if (!config_table.is_object()) {
    return Status::InvalidArgument("config_table is not an object");
  }
  // Kong 3.x CPs export `workspaces` (always the default one); this library knows a single
  // workspace, so the key carries nothing to validate.
  const json::Value* source = &config_table;
  json::Value trimmed;
  if (config_table.Find("workspaces") != nullptr) {
    trimmed = config_table;
    trimmed.Erase("workspaces");
    source = &trimmed;
  }
  Result<json::Value> flat = declarative::Flatten(*source, catalog_);
  if (!flat.ok()) return flat.status();
  auto snapshot = std::make_shared<ConfigSnapshot>();
  snapshot->config_hash = config_hash;
  snapshot->json = json::Serialize(*flat);
  for (const auto& [name, value] : flat->as_object()) {
    if (!name.empty() && name[0] != '_' && value.is_array() && !value.as_array().empty()) {
      snapshot->empty = false;
    }
  }
  if (compiler_) {
    auto compiled = compiler_(*flat);
    if (!compiled.ok()) {
      return Status::InvalidArgument("configuration cannot be proxied: " +
                                     compiled.status().message());
    }
    snapshot->proxy = std::move(compiled).value();
  }
  snapshot->config = std::move(flat).value();
  return std::shared_ptr<const ConfigSnapshot>(std::move(snapshot));
}

void ConfigStore::Install(std::shared_ptr<const ConfigSnapshot> snapshot) {
  current_ = std::move(snapshot);
}

Status ConfigStore::Save(const json::Value& config_table, const std::string& config_hash) const {
  if (!cache_enabled_) return Status::Ok();
  return cache_.Save(config_table, config_hash);
}

Result<std::shared_ptr<const ConfigSnapshot>> ConfigStore::LoadCache() const {
  if (!cache_enabled_) return Status::NotFound("no config cache");
  Result<cluster::CachedConfig> cached = cache_.Load();
  if (!cached.ok()) return cached.status();
  auto snapshot = Validate(cached->config_table, cached->config_hash);
  if (!snapshot.ok()) {
    return Status::InvalidArgument("config cache " + cache_.path() +
                                   ": invalid configuration: " + snapshot.status().message());
  }
  return snapshot;
}

}  // namespace kong::dataplane
