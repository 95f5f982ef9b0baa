// The [messages] section of the configuration file.
#include "core/message_json.h"

namespace postern {

Result<MessageLimits, ConfigError> read_message_limits(ConfigFile& file) {
  MessageLimits limits;
  auto s = file.section("messages");
  s.bytes("max_message_bytes", limits.max_message_bytes)
      .count("max_recipients", limits.max_recipients);
  s.check(limits.max_recipients > 0, "max_recipients", "must be at least 1");
  return file.result(limits);
}

}  // namespace postern
