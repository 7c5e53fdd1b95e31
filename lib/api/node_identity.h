// The node's identity on disk: its prefix folder and the node id Kong keeps in <prefix>/kong.id.
#ifndef KONG_API_NODE_IDENTITY_H_
#define KONG_API_NODE_IDENTITY_H_

#include <functional>
#include <string>

#include "kong/status.h"

namespace kong::api {

// Creates `path` and its missing parents with mode 0755 (as `kong prepare` makes the prefix).
// An existing folder is fine; an existing non-folder fails with kIo naming it.
Status EnsureFolder(const std::string& path);

// The node id, as Kong's kong/pdk/private/node.lua picks it: `configured` (the node_id
// property, already validated as a UUID) when set; else the UUID in <prefix>/kong.id; else a
// new random UUID written there atomically (mode 0644) so every later start reuses it. A
// kong.id that does not hold a UUID is replaced, after `warn` is told why.
Result<std::string> LoadOrCreateNodeId(const std::string& prefix, const std::string& configured,
                                       const std::function<void(const std::string&)>& warn);

}  // namespace kong::api

#endif  // KONG_API_NODE_IDENTITY_H_
