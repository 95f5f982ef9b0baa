// A request that fails validation: a machine code, a message for a human and
// the offending field (JSON path such as "to[2]" or "attachments[0].content").
#pragma once

#include <string>

namespace postern {

struct FieldError {
  std::string code;
  std::string message;
  std::string field;
};

}  // namespace postern
