// POST /v1/members/{id}/erasure (admin): the erasure of a member's personal data (PIPL §47,
// docs/privacy.md). PersonalDataErased and, in the same write, the deletion of her data key and
// every sealed record of hers; then her key leaves memory and the deleted records every file.
#include <spdlog/spdlog.h>

#include <boost/json/object.hpp>

#include "api/encoding.h"
#include "api/event_codec.h"
#include "api/handler_internal.h"
#include "api/key_store.h"
#include "api/rfc3339.h"
#include "eventstore/personal_vault.h"

namespace ledger::api {
namespace json = boost::json;

Step Endpoints::PostErasure(Handler& h, Call& call) {
  const std::string member_id = call.params[0];
  Checked<json::object> body = ObjectBody(call.request.body, {"reason"});
  if (!body.ok()) return Fail(body.problem());
  const json::value* reason = body->if_contains("reason");
  if (reason == nullptr || !reason->is_string() || reason->get_string().empty() ||
      reason->get_string().size() > kTextBytesMax) {
    return Fail(MakeProblem(400, "invalid_field",
                            "reason must be a non-empty string of at most 4096 bytes", "/reason"));
  }
  PersonalVault* vault = h.node_.vault();
  if (vault == nullptr) {
    return Fail(MakeProblem(503, "unavailable", "this node keeps no personal data"));
  }
  CatchUp(h);
  std::optional<Problem> problem =
      h.node_.projector().Read([&](const LedgerState& state) -> std::optional<Problem> {
        const Member* member = state.FindMember(MemberRef(member_id));
        if (member == nullptr) return NoSuch("member", member_id);
        if (member->erased_at_us) {
          return MakeProblem(409, "already_erased",
                             "the personal data of member '" + member_id + "' was erased on " +
                                 FormatInstant(*member->erased_at_us));
        }
        return std::nullopt;
      });
  if (problem) return Fail(*problem);

  flatbuffers::FlatBufferBuilder builder(256);
  const auto data = events::CreatePersonalDataErasedDirect(
      builder, member_id.c_str(), std::string(reason->get_string()).c_str());
  builder.Finish(events::CreateEventData(builder, events::Data::PersonalDataErased, data.Union()));
  EventDraft draft;
  draft.id = "erasure-" + RandomHex(12);
  draft.type = "PersonalDataErased";
  draft.occurred_at_us = h.NowUs();
  draft.actor = call.principal->key_id;
  draft.scope = ScopeOf(call);
  draft.payload.assign(reinterpret_cast<const char*>(builder.GetBufferPointer()),
                       builder.GetSize());
  draft.side = PersonalVault::Erase(member_id);
  const int64_t erased_at_us = draft.occurred_at_us;
  std::vector<EventDraft> drafts;
  drafts.push_back(std::move(draft));
  return PendingAppend{
      std::move(drafts),
      [&h, member_id, erased_at_us](const Result<std::vector<AppendResult>>& appended) -> Response {
        if (!appended.ok()) {
          if (appended.status().reason() == "already_erased") {
            return Fail(MakeProblem(409, "already_erased", appended.status().message()));
          }
          return Fail(ProblemForStatus(appended.status()));
        }
        // Durable: the key and records are deleted. Now out of memory and out of every file.
        if (Status purged = h.node_.vault()->Purge(h.node_.store(), member_id); !purged.ok()) {
          spdlog::error(
              "erasure of {}: the deleted records may stay in files until the next "
              "compaction: {}",
              member_id, purged.ToString());
        }
        return JsonResponse(200, json::object{{"member_id", member_id},
                                              {"position", (*appended)[0].position.value},
                                              {"erased_at", FormatInstant(erased_at_us)}});
      }};
}

}  // namespace ledger::api
