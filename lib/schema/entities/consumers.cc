// consumers (consumers.lua): identified by username and/or custom_id.
#include "schema/entities/entities.h"
#include "schema/typedefs.h"

namespace kong::schema {

EntitySchema ConsumersSchema() {
  EntitySchema s;
  s.name = "consumers";
  s.endpoint_key = "username";
  s.workspaceable = true;
  Field username = StringField();
  username.unique = true;
  Field custom_id = StringField();
  custom_id.unique = true;
  s.fields = {
      {"id", typedefs::Uuid()},
      {"created_at", typedefs::AutoTimestampS()},
      {"updated_at", typedefs::AutoTimestampS()},
      {"username", username},
      {"custom_id", custom_id},
      {"tags", typedefs::Tags()},
  };
  s.entity_checks = {AtLeastOneOf({"custom_id", "username"})};
  return s;
}

}  // namespace kong::schema
