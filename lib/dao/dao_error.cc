// DaoError constructors.
#include "dao/dao_error.h"

namespace kong::dao {

DaoError DaoError::FromBody(schema::ErrorCode code, json::Value body) {
  return DaoError{schema::HttpStatus(code), std::move(body), ""};
}

DaoError DaoError::NotFound() { return DaoError{404, schema::MessageBody("Not found"), ""}; }

DaoError DaoError::FromStatus(const Status& status) {
  return DaoError{500, schema::MessageBody("An unexpected error occurred"), status.ToString()};
}

}  // namespace kong::dao
