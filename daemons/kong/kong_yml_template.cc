// The commented example that `kong config init` writes (Kong's kong/templates/kong_yml.lua
// plays this part); it parses as an empty configuration.
#include "commands.h"

namespace kong::cli {

const char kKongYmlTemplate[] = R"(# ------------------------------------------------------------------------------
# An example declarative configuration for Kong, to start from.
# Check it with `kong config parse kong.yml`; load it into a database with
# `kong config db_import kong.yml`, or POST it to a DB-less node's /config.
# ------------------------------------------------------------------------------

# Fields whose name starts with an underscore (_) are metadata; the others are Kong
# entities and their attributes.

# _format_version is required: the oldest Kong whose format this file follows.
_format_version: "3.0"

# _transform (default true): apply the schemas' transformations while importing,
# e.g. hashing plain-text credentials. Set it to false to re-import an export whose
# secrets are already transformed.
_transform: true

# Every entity type is a top-level list of objects. Uncomment to try.

# services:
# - name: example-service
#   url: http://example.com
#   # Tags are free-form labels for your own use:
#   tags:
#   - example
#   # Entities that belong to another one can be nested under it:
#   routes:
#   - name: example-route
#     paths:
#     - /
# - name: another-service
#   url: https://example.org

# routes:
# - name: another-route
#   # A top-level entity names the one it belongs to by name or by id:
#   service: example-service
#   hosts: ["hello.com"]

# upstreams:
# - name: example-upstream
#   targets:
#   - target: 127.0.0.1:8080
#     weight: 100

# consumers:
# - username: example-user

# An entity that belongs to several others (a plugin bound to a consumer and a
# service) must be top-level, naming each of them:

# plugins:
# - name: rate-limiting
#   consumer: example-user
#   service: another-service
#   config:
#     hour: 2
)";

}  // namespace kong::cli
