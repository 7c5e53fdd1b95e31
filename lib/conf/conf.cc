// kong::Conf: merges defaults, kong.conf, KONG_* variables and overrides, then types and checks.
#include "kong/conf.h"

#include <optional>

#include "base/files.h"
#include "base/text.h"
#include "conf/conf_text.h"
#include "conf/properties.h"
#include "conf/validation.h"

namespace kong {

class Conf::Impl {
 public:
  std::string path;
  conf::ValueMap values;
  conf::PemMap pems;
};

namespace {

using conf::Value;

// Kong's DEFAULT_PATHS, tried in order when no -c is given.
constexpr const char* kDefaultPaths[] = {"/etc/kong/kong.conf", "/etc/kong.conf"};
constexpr std::string_view kEnvPrefix = "KONG_";
constexpr std::string_view kRedacted = "******";

const Conf::Impl& ImplOf(const std::shared_ptr<const Conf::Impl>& impl) {
  static const Conf::Impl kEmpty;  // what a moved-from Conf reads
  return impl ? *impl : kEmpty;
}

Status Fail(Status status, std::vector<std::string>* all_errors) {
  if (all_errors) all_errors->assign(1, status.message());
  return status;
}

// nginx_*, vault_*... keys: kept verbatim; a later source's NONE or "" removes the key.
void SetDynamic(conf::ValueMap& values, const std::string& key, const std::string& raw) {
  if (conf::FindProperty(key) != nullptr || !conf::IsDynamicKey(key)) return;
  std::string text(base::Trim(raw));
  if (text.empty() || text == "NONE") {
    values.erase(key);
    return;
  }
  Value v;
  v.text = std::move(text);
  v.set = true;
  values[key] = std::move(v);
}

// prefix is absolute; sqlite_path defaults to <prefix>/kong.db and is relative to the prefix.
void ResolvePaths(conf::ValueMap& values) {
  Value& prefix = values["prefix"];
  if (!prefix.set) prefix.text = "/usr/local/kong/";
  prefix.text = conf::CleanAbsolutePath(prefix.text);
  prefix.set = true;
  Value& sqlite = values["sqlite_path"];
  if (!sqlite.set) {
    sqlite.text = prefix.text + "/kong.db";
  } else if (sqlite.text[0] != '/') {
    sqlite.text = conf::CleanAbsolutePath(prefix.text + "/" + sqlite.text);
  } else {
    sqlite.text = conf::CleanAbsolutePath(sqlite.text);
  }
  sqlite.set = true;
}

}  // namespace

Result<Conf> Conf::Load(const ConfSources& sources, std::vector<std::string>* all_errors) {
  if (all_errors) all_errors->clear();
  auto impl = std::make_shared<Impl>();

  std::string path = sources.path;
  if (!path.empty() && !base::PathExists(path)) {
    return Fail(Status::NotFound("no file at: " + path), all_errors);
  }
  if (path.empty() && sources.search_default_paths) {
    for (const char* candidate : kDefaultPaths) {
      if (base::PathExists(candidate)) {
        path = candidate;
        break;
      }
    }
  }
  std::map<std::string, std::string> file;
  if (!path.empty()) {
    auto text = base::ReadFile(path);
    if (!text.ok()) {
      return Fail(
          Status(text.status().code(), "could not load config file: " + text.status().message()),
          all_errors);
    }
    file = conf::ParseConfText(*text);
    impl->path = conf::CleanAbsolutePath(path);
  }

  // Kong's overrides(): defaults < file < KONG_<KEY> < overrides, per known property.
  std::vector<std::string> errors;
  for (const conf::PropertyDef& def : conf::Properties()) {
    const std::string name(def.name);
    std::optional<std::string> raw;
    if (def.default_value != "NONE") raw = std::string(def.default_value);
    if (auto it = file.find(name); it != file.end()) raw = it->second;
    if (auto it = sources.env.find(std::string(kEnvPrefix) + base::ToUpper(name));
        it != sources.env.end()) {
      raw = it->second;
    }
    if (auto it = sources.overrides.find(name); it != sources.overrides.end()) raw = it->second;
    impl->values.emplace(name, conf::TypeValue(def, raw, errors));
  }
  for (const auto& [key, value] : file) SetDynamic(impl->values, key, value);
  for (const auto& [name, value] : sources.env) {
    if (name.size() > kEnvPrefix.size() && name.starts_with(kEnvPrefix)) {
      SetDynamic(impl->values, base::ToLower(name.substr(kEnvPrefix.size())), value);
    }
  }
  for (const auto& [key, value] : sources.overrides) SetDynamic(impl->values, key, value);

  conf::CheckProperties(impl->values, impl->pems, errors);
  ResolvePaths(impl->values);
  if (!errors.empty()) {
    if (all_errors) *all_errors = errors;
    return Status::InvalidArgument(errors.front());
  }
  return Conf(std::move(impl));
}

Conf::Conf(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Conf::Conf(const Conf&) = default;
Conf& Conf::operator=(const Conf&) = default;
Conf::Conf(Conf&&) noexcept = default;
Conf& Conf::operator=(Conf&&) noexcept = default;
Conf::~Conf() = default;

const std::string& Conf::path() const { return ImplOf(impl_).path; }

bool Conf::Has(std::string_view key) const { return conf::ValueOf(ImplOf(impl_).values, key).set; }

std::string Conf::GetString(std::string_view key) const {
  return conf::CanonicalText(conf::ValueOf(ImplOf(impl_).values, key));
}

bool Conf::GetBool(std::string_view key) const {
  const Value& v = conf::ValueOf(ImplOf(impl_).values, key);
  const bool boolean = v.type == conf::PropType::kBoolean || v.type == conf::PropType::kNgxBoolean;
  return v.set && boolean && v.boolean;
}

double Conf::GetNumber(std::string_view key) const {
  const Value& v = conf::ValueOf(ImplOf(impl_).values, key);
  return v.set && v.type == conf::PropType::kNumber ? v.number : 0;
}

std::vector<std::string> Conf::GetList(std::string_view key) const {
  const Value& v = conf::ValueOf(ImplOf(impl_).values, key);
  if (!v.set) return {};
  if (v.type == conf::PropType::kArray) return v.list;
  return {conf::CanonicalText(v)};
}

std::string Conf::Pem(std::string_view key) const {
  const auto& pems = ImplOf(impl_).pems;
  auto it = pems.find(key);
  return it == pems.end() ? std::string() : it->second;
}

std::vector<std::pair<std::string, std::string>> Conf::Entries(bool redact_secrets) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : ImplOf(impl_).values) {
    std::string text = conf::CanonicalText(value);
    const conf::PropertyDef* def = conf::FindProperty(name);
    if (redact_secrets && def != nullptr && def->secret && !text.empty()) {
      text = std::string(kRedacted);
    }
    out.emplace_back(name, std::move(text));
  }
  return out;
}

std::vector<std::string> Conf::KnownProperties() {
  std::vector<std::string> names;
  for (const conf::PropertyDef& def : conf::Properties()) names.emplace_back(def.name);
  return names;
}

}  // namespace kong
