// PluginFactories: the registry of runnable plugins.
#include "plugins/factory.h"

namespace kong::plugins {

Status PluginFactories::Register(PluginDescriptor descriptor) {
  if (descriptor.name.empty() || !descriptor.create) {
    return Status::InvalidArgument("plugin descriptor without a name or factory");
  }
  std::string name = descriptor.name;
  if (!entries_.emplace(name, std::move(descriptor)).second) {
    return Status::Conflict("plugin '" + name + "' is registered twice");
  }
  return Status::Ok();
}

const PluginDescriptor* PluginFactories::Find(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<std::string> PluginFactories::Names() const {
  std::vector<std::string> names;
  names.reserve(entries_.size());
  for (const auto& [name, descriptor] : entries_) names.push_back(name);
  return names;
}

}  // namespace kong::plugins
