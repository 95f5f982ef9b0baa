// The extensions clients probe for and that need little of the store:
// ID (RFC 2971), NAMESPACE (RFC 2342), ENABLE (RFC 5161) and IDLE
// (RFC 2177).
#include "imap/parser/command_parser.h"
#include "imap/session/session_fsm.h"
#include "mime/imap_string.h"

namespace postern::imap {

void SessionFsm::handle(const Id&) {
  // What the client says of itself is not used: nothing here differs by
  // client.
  untagged("ID (\"name\" \"Postern\" \"version\" " + mime::imap_string(policy_.server_version) +
           ")");
  ok("ID completed.");
}

void SessionFsm::handle(const Namespace&) {
  // One personal namespace, the account's own mailboxes; nothing shared.
  untagged("NAMESPACE ((\"\" \"/\")) NIL NIL");
  ok("Namespace completed.");
}

void SessionFsm::handle(const Enable&) {
  // No extension Postern offers changes behaviour when enabled
  // (CONDSTORE, QRESYNC, UTF8=ACCEPT are not offered): nothing is enabled.
  untagged("ENABLED");
  ok("Enable completed.");
}

void SessionFsm::handle(const Idle&) {
  // Updates pending now go out at once; later ones when the driver calls
  // on_mailbox_changed().
  if (selected_) send_updates(true);
  if (!bye_.empty()) return say_bye_if_due();
  out_ += "+ idling\r\n";
  phase_ = Phase::idle;
}

void SessionFsm::handle_idle_line(std::string_view line) {
  phase_ = Phase::command;
  // tag_ is still the IDLE's: both answers end it.
  if (!is_idle_done(line)) return bad("Expected DONE to end IDLE.");
  ok("IDLE terminated.");
}

void SessionFsm::on_mailbox_changed() {
  if (phase_ != Phase::idle || !selected_) return;
  send_updates(true);
  // The selected mailbox was deleted meanwhile: BYE, and next() closes.
  say_bye_if_due();
}

}  // namespace postern::imap
