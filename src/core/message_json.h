// The JSON form of a message (POST /v1/messages): validation with errors that
// name the field, and the canonical encoding stored for delivery.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/config.h"
#include "core/error.h"
#include "core/field_error.h"
#include "core/message.h"

namespace postern {

struct MessageLimits {
  std::size_t max_recipients = 1000;                 // to + cc + bcc
  std::size_t max_message_bytes = 25 * 1024 * 1024;  // decoded text + html + attachments
  std::size_t max_tags = 10;
  std::size_t max_tag_length = 128;
  std::size_t max_metadata_bytes = 10 * 1024;
  std::size_t max_subject_bytes = 998 * 4;

  // No count or size limit: for content that passed the limits at intake
  // and is read again later, after the limits may have changed.
  static MessageLimits unlimited();
};

// [messages]: max_message_bytes and max_recipients (over HTTP and SMTP
// alike); the other limits are not configurable. Errors name the key.
Result<MessageLimits, ConfigError> read_message_limits(ConfigFile& file);

// Parses and validates a JSON message. Errors name the first offending field.
// Unknown fields are refused so that typos do not silently drop data.
Result<Message, FieldError> message_from_json(std::string_view json, const MessageLimits& limits);

// Canonical JSON of a message; message_from_json(message_to_json(m)) == m.
std::string message_to_json(const Message& message);

// True when a header name may be set through "headers": printable ASCII
// without ':' (RFC 5322 §2.2) and not one Postern writes itself.
bool is_allowed_custom_header(std::string_view name);

}  // namespace postern
