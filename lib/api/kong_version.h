// The Kong release this library follows, shared by the control and data planes.
#ifndef KONG_API_KONG_VERSION_H_
#define KONG_API_KONG_VERSION_H_

namespace kong::api {

// The Kong release whose Admin API and hybrid protocol this library follows: GET / reports
// it, and a data plane sends it as node_version (the CP's version checks compare it).
inline constexpr char kKongCompatibleVersion[] = "3.10.0";

}  // namespace kong::api

#endif  // KONG_API_KONG_VERSION_H_
