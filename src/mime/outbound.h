// What a stored message becomes on its way out: its structured form and
// the RFC 5322 bytes Postern sends. One place for both the providers
// (through providers::OutboundMessage) and GET /v1/messages/{id}/raw, so
// that the API shows exactly the bytes that go out.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "core/message.h"

namespace postern::mime {

// "<id>@postern": the Message-ID of the messages Postern builds.
std::string postern_message_id(std::string_view postern_id);

// The structured message of stored content: the intake JSON decoded
// (ContentFormat::json; its limits were checked at intake) or the raw
// message parsed (parse_message). Errc::corrupt when it cannot be decoded.
Result<Message> read_stored(ContentFormat format, std::string_view content);

// A structured message as sent: build_message with Message-ID
// <id@postern>, Date `created_at` and an X-Postern-Id field.
std::string render_built(const Message& message, std::string_view postern_id,
                         SystemTime created_at);

// Raw mail as sent: its own bytes, without Bcc (strip_bcc), with the trace
// field "X-Postern-Id: <id>" on top (as MTAs prepend Received), so that
// providers' events and relays can be matched to the Postern message.
std::string render_raw(std::string_view raw, std::string_view postern_id);

// Stored content as sent: render_built of read_stored for JSON, render_raw
// for raw mail. Errc::corrupt when stored JSON cannot be decoded.
Result<std::string> render_stored(ContentFormat format, std::string_view content,
                                  std::string_view postern_id, SystemTime created_at);

}  // namespace postern::mime
