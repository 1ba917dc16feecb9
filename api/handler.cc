#include "api/handler.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <future>
#include <optional>

#include "api/encoding.h"
#include "api/event_codec.h"
#include "api/handler_internal.h"
#include "api/personal_fields.h"
#include "api/rfc3339.h"
#include "api/views.h"
#include "domain/event_payload.h"
#include "eventstore/access_log.h"
#include "eventstore/kafka/kafka_relay.h"
#include "eventstore/kafka/kafka_replicator.h"
#include "eventstore/signed_checkpoint.h"

namespace ledger::api {
namespace json = boost::json;
namespace {

constexpr uint8_t Bit(Role role) { return uint8_t{1} << static_cast<int>(role); }
constexpr uint8_t kPublic = 0;
constexpr uint8_t kAnyRole = 0x3F;
constexpr uint8_t kAdmin = Bit(Role::kAdmin);
constexpr uint8_t kAdminAuditor = kAdmin | Bit(Role::kAuditor);
constexpr uint8_t kStaff = kAdminAuditor | Bit(Role::kCoordinator);  // admin, auditor, coordinator
constexpr uint8_t kWriters =
    kAdmin | Bit(Role::kCoordinator) | Bit(Role::kMember) | Bit(Role::kPartner);
static_assert(kRoles == 6 && kAnyRole == (1 << kRoles) - 1, "one bit per role");

struct Route {
  std::string_view method;
  std::string_view pattern;
  uint8_t roles;           // kPublic: no key needed
  std::string_view query;  // allowed query parameters, comma-separated
  bool read;               // accepts min_position
  Step (*run)(Handler&, Call&);
  bool sheet_body = false;  // takes a spreadsheet (CSV or xlsx) instead of JSON
};

const std::vector<Route>& RouteTable() {
  using E = Endpoints;
  static const std::vector<Route> routes = {
      {"GET", "/healthz", kPublic, "", false, &E::Healthz},
      {"GET", "/readyz", kPublic, "", false, &E::Readyz},
      {"GET", "/openapi.json", kPublic, "", false, &E::OpenApi},
      {"GET", "/metrics", kAdminAuditor, "", false, &E::MetricsText},
      // A member may post too, but only what domain/scope_rules.cc lets a member record: her
      // own ServiceLogged (the store's writer decides, as for a coordinator's branch); and a
      // partner only its consent to a new purpose of its own donation (DonorConsentRecorded).
      {"POST", "/v1/events", kWriters, "", false, &E::PostEvent},
      {"POST", "/v1/events/batch", kWriters, "", false, &E::PostBatch},
      {"GET", "/v1/events", kStaff, "from,limit", true, &E::ListEvents},
      {"GET", "/v1/events/{position}", kStaff, "", true, &E::GetEvent},
      {"GET", "/v1/streams/{stream}", kStaff | Bit(Role::kPartner) | Bit(Role::kMember),
       "from_version,limit", true, &E::GetStream},
      {"GET", "/v1/members", kStaff, "branch_id,kind,min_star,limit,cursor", true, &E::ListMembers},
      {"GET", "/v1/members/{id}", kStaff | Bit(Role::kMember), "", true, &E::GetMember},
      // Who read her personal data: the member herself and admins (handler_access_log.cc).
      {"GET", "/v1/members/{id}/access-log", kAdmin | Bit(Role::kMember), "limit,cursor", true,
       &E::GetAccessLog},
      {"POST", "/v1/members/{id}/attestations",
       kAdmin | Bit(Role::kCoordinator) | Bit(Role::kMember), "", false, &E::PostAttestation},
      {"POST", "/v1/attestations/verify", kPublic, "", false, &E::VerifyAttestation},
      {"POST", "/v1/members/{id}/erasure", kAdmin, "", false, &E::PostErasure},
      {"POST", "/v1/members/{id}/certificates", kAdmin | Bit(Role::kCoordinator), "", false,
       &E::PostCertificate},
      {"GET", "/v1/certificates/{id}", kPublic, "", true, &E::GetCertificate},
      {"POST", "/v1/certificates/verify", kPublic, "", false, &E::VerifyCertificate},
      {"GET", "/v1/funds", kStaff, "branch_id,limit,cursor", true, &E::ListFunds},
      {"GET", "/v1/funds/{id}", kStaff, "", true, &E::GetFund},
      {"GET", "/v1/funds/{id}/trail", kStaff, "limit,cursor", true, &E::GetFundTrail},
      {"GET", "/v1/donations/{id}", kStaff | Bit(Role::kPartner), "", true, &E::GetDonation},
      {"GET", "/v1/partners", kStaff | Bit(Role::kPartner), "kind,limit,cursor", true,
       &E::ListPartners},
      {"GET", "/v1/partners/{id}", kStaff | Bit(Role::kPartner), "", true, &E::GetPartner},
      {"GET", "/v1/partners/{id}/statement", kAdminAuditor | Bit(Role::kPartner), "from,to,format",
       true, &E::GetPartnerStatement},
      {"GET", "/v1/reports/monthly", kStaff, "branch_id,month", true, &E::GetMonthlyReport},
      {"GET", "/v1/reports/monthly/filing", kAdminAuditor, "month,format", true,
       &E::GetFilingPackage},
      {"GET", "/v1/requests", kStaff | Bit(Role::kMember),
       "branch_id,status,volunteer_id,limit,cursor", true, &E::ListRequests},
      {"GET", "/v1/requests/{id}", kStaff | Bit(Role::kMember), "", true, &E::GetRequest},
      {"GET", "/v1/audit/head", kStaff | Bit(Role::kPartner), "", true, &E::GetAuditHead},
      // The onboarding import: a spreadsheet file as the body (handler_imports.cc).
      {"POST", "/v1/imports/sheet", kAdmin | Bit(Role::kCoordinator), "dry_run,name", false,
       &E::PostSheetImport, true},
      {"GET", "/v1/keys", kAdmin, "", false, &E::ListKeys},
      {"POST", "/v1/keys", kAdmin, "", false, &E::PostKey},
      {"DELETE", "/v1/keys/{key_id}", kAdmin, "", false, &E::DeleteKey},
      {"GET", "/v1/accounts", kAdmin | Bit(Role::kCoordinator), "role,branch_id", false,
       &E::ListAccounts},
      {"POST", "/v1/accounts", kAdmin | Bit(Role::kCoordinator), "", false, &E::PostAccount},
      {"POST", "/v1/accounts/activate", kPublic, "", false, &E::ActivateAccount},
      {"POST", "/v1/accounts/{id}/password", kAnyRole, "", false, &E::PostPassword},
      {"POST", "/v1/accounts/{id}/invitation", kAdmin | Bit(Role::kCoordinator), "", false,
       &E::PostInvitation},
      {"DELETE", "/v1/accounts/{id}", kAdmin | Bit(Role::kCoordinator), "", false,
       &E::DeleteAccount},
      {"POST", "/v1/sessions", kPublic, "", false, &E::PostSession},
      {"GET", "/v1/sessions/current", kAnyRole, "", false, &E::GetSession},
      {"DELETE", "/v1/sessions/current", kAnyRole, "", false, &E::DeleteSession},
  };
  return routes;
}

constexpr std::string_view kUnmatchedRoute = Metrics::kOther;
// The route label of every answer of the web console (its files and pages).
constexpr std::string_view kConsoleRoute = "console";
// Holds a member's JSON object without a heap allocation unless its names or skills are long.
constexpr size_t kMemberJsonBufferBytes = 4096;

// Whether `path` matches `pattern`; fills `params` with the decoded {placeholders}. Walks both
// segment by segment ('/'-separated, after the first character) without splitting them into
// vectors: every request tries the routes in order, and the split cost two allocations per
// route tried, a sixtieth of a GET.
bool Match(std::string_view pattern, std::string_view path, std::vector<std::string>& params) {
  if (path.empty()) return false;  // patterns have at least one segment, an empty path none
  params.clear();
  size_t want_at = 1;  // after the leading '/'
  size_t have_at = 1;
  while (true) {
    const size_t want_end = std::min(pattern.find('/', want_at), pattern.size());
    const size_t have_end = std::min(path.find('/', have_at), path.size());
    const std::string_view want = pattern.substr(want_at, want_end - want_at);
    const std::string_view have = path.substr(have_at, have_end - have_at);
    if (want.starts_with('{')) {
      std::optional<std::string> value = PercentDecode(have, false);
      if (!value || value->empty()) return false;
      params.push_back(std::move(*value));
    } else if (want != have) {
      return false;
    }
    const bool want_done = want_end == pattern.size();
    const bool have_done = have_end == path.size();
    if (want_done || have_done) return want_done && have_done;
    want_at = want_end + 1;
    have_at = have_end + 1;
  }
}

// How specific `pattern` is: one bit per segment, first segment highest, set for a literal. Of
// two patterns that match the same path (so with as many segments), the one whose first
// differing segment is literal has the higher value: /v1/events/batch beats
// /v1/events/{position}, whatever the order of the route table.
uint64_t Specificity(std::string_view pattern) {
  uint64_t rank = 0;
  for (size_t at = 1; at <= pattern.size();) {
    const size_t end = std::min(pattern.find('/', at), pattern.size());
    rank = (rank << 1) | (pattern.substr(at, end - at).starts_with('{') ? 0 : 1);
    at = end + 1;
  }
  return rank;
}

std::optional<uint64_t> ParseUnsigned(std::string_view text) {
  uint64_t value = 0;
  if (text.empty() || text.size() > 19) return std::nullopt;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The media type of a Content-Type header, without parameters, in lower case.
std::string MediaType(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  type.erase(std::remove(type.begin(), type.end(), ' '), type.end());
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type;
}

bool IsJsonMediaType(std::string_view content_type) {
  return MediaType(content_type) == "application/json";
}

bool IsSheetMediaType(std::string_view content_type) {
  const std::string type = MediaType(content_type);
  return type == "text/csv" || type == kXlsxMediaType;
}

// The key of "Authorization: Bearer <key>", or "" when the header is not that.
std::string_view BearerKey(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return {};
  }
  std::string_view key = header.substr(kScheme.size());
  while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
  while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
  return key;
}

// Sets the route and key id on whatever response `step` ends in.
void Tag(Step& step, std::string_view route, const std::string& key_id) {
  if (auto* response = std::get_if<Response>(&step)) {
    response->route = route;
    response->key_id = key_id;
  } else if (auto* append = std::get_if<PendingAppend>(&step)) {
    append->finish = [finish = std::move(append->finish), route,
                      key_id](const Result<std::vector<AppendResult>>& result) {
      Response response = finish(result);
      response.route = route;
      response.key_id = key_id;
      return response;
    };
  } else if (auto* work = std::get_if<PendingWork>(&step)) {
    work->work = [next = std::move(work->work), route, key_id] {
      Response response = next();
      response.route = route;
      response.key_id = key_id;
      return response;
    };
  } else if (auto* wait = std::get_if<PendingWait>(&step)) {
    for (std::function<Response()>* then : {&wait->resume, &wait->timed_out}) {
      *then = [next = std::move(*then), route, key_id] {
        Response response = next();
        response.route = route;
        response.key_id = key_id;
        return response;
      };
    }
  }
}

// `limit` of a list: default when absent; 1..max.
Checked<size_t> Limit(const Call& call, size_t default_items, size_t max_items) {
  const std::string* text = call.Query("limit");
  if (text == nullptr) return default_items;
  std::optional<uint64_t> limit = ParseUnsigned(*text);
  if (!limit || *limit < 1 || *limit > max_items) {
    return ParameterProblem("limit", "must be an integer from 1 to " + std::to_string(max_items));
  }
  return static_cast<size_t>(*limit);
}

// For events whose data holds personal fields: the branch of the member they are about.
std::string_view PersonalBranch(const events::EventData& data, const LedgerState& state) {
  if (const auto* member = data.data_as_MemberRegistered()) {
    return member->branch_id()->string_view();
  }
  if (const auto* update = data.data_as_MemberUpdated()) {
    const Member* member = state.FindMember(MemberRef(update->member_id()->string_view()));
    return member != nullptr ? member->branch_id.view() : std::string_view();
  }
  if (const auto* service = data.data_as_ServiceLogged()) {
    const Member* volunteer = state.FindMember(MemberRef(service->volunteer_id()->string_view()));
    return volunteer != nullptr ? volunteer->branch_id.view() : std::string_view();
  }
  if (const auto* request = data.data_as_ServiceRequested()) {
    const Member* elder = state.FindMember(MemberRef(request->elder_id()->string_view()));
    return elder != nullptr ? elder->branch_id.view() : std::string_view();
  }
  return {};
}

// The member whose personal fields the sealed part of `data` holds (docs/privacy.md): the
// member of MemberRegistered and MemberUpdated, a visit's elder, else its volunteer. "" for
// events without sealed fields.
std::string_view SealedSubject(const events::EventData& data) {
  if (const auto* member = data.data_as_MemberRegistered()) {
    return member->personal() != nullptr ? member->member_id()->string_view() : "";
  }
  if (const auto* update = data.data_as_MemberUpdated()) {
    return update->personal() != nullptr ? update->member_id()->string_view() : "";
  }
  if (const auto* service = data.data_as_ServiceLogged()) {
    if (service->personal() == nullptr) return "";
    return service->elder_id() != nullptr ? service->elder_id()->string_view()
                                          : service->volunteer_id()->string_view();
  }
  return "";
}

// The JSON of `events`, each with personal fields only where the caller may see them: those in
// the payload (a request's description) by the branch rule, the sealed ones from the vault
// through PersonalFieldsFor; both noted for the access log.
json::array EventsJson(Handler& h, Call& call, PersonalVault* vault,
                       const std::vector<StoredEvent>& events, const Projector& projector) {
  json::array out;
  out.reserve(events.size());
  projector.Read([&](const LedgerState& state) {
    for (const StoredEvent& event : events) {
      const events::EventData* data = VerifyEventData(event.payload);
      const bool personal =
          data != nullptr && (call.role() == Role::kAdmin ||
                              Endpoints::MaySeePersonal(call, PersonalBranch(*data, state)));
      json::object encoded = EncodeStoredEvent(event, personal);
      if (personal && data->data_type() == events::Data::ServiceRequested) {
        h.NotePersonalRead(call, data->data_as_ServiceRequested()->elder_id()->string_view());
      }
      const std::string_view subject = data != nullptr ? SealedSubject(*data) : "";
      const Member* member = subject.empty() ? nullptr : state.FindMember(MemberRef(subject));
      if (member != nullptr) {
        const std::optional<json::object> sealed = PersonalFieldsFor(
            h, call, vault, subject, member->branch_id.view(), PersonalRead{event.position});
        if (sealed) {
          json::object& fields = encoded["data"].as_object();
          for (const auto& field : *sealed) fields[field.key()] = field.value();
        }
      }
      out.push_back(std::move(encoded));
    }
  });
  return out;
}

}  // namespace

Response JsonResponse(int status, const json::value& body) {
  Response response;
  response.status = status;
  response.body = json::serialize(body);
  return response;
}

Handler::Handler(LedgerNode& node, KeyStore& keys, AccountStore& accounts, const SigningKey& signer,
                 Metrics& metrics, HandlerOptions options)
    : node_(node),
      keys_(keys),
      accounts_(accounts),
      signer_(signer),
      metrics_(metrics),
      options_(std::move(options)),
      sign_in_throttle_(options_.sign_in_throttle),
      web_root_(options_.web_root),
      password_pool_(options_.password_threads, options_.password_queue_jobs_max) {
  // The route label's values: the route table's patterns, nothing a client sends.
  for (const Route& route : RouteTable()) metrics_.DeclareRoute(route.pattern);
  metrics_.DeclareRoute(kConsoleRoute);
  // The OpenAPI document is generated once (its event schemas from the codec), here rather than
  // on the first GET /openapi.json.
  static_cast<void>(OpenApiDocument());
  // On the pool, not here: serving need not wait for it (a sign-in meanwhile waits behind it).
  password_pool_.Submit(PrepareDummyHash);
}

int64_t Handler::NowUs() const {
  if (options_.clock_us) return options_.clock_us();
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<RouteInfo> Handler::Routes() {
  std::vector<RouteInfo> routes;
  for (const Route& route : RouteTable()) {
    routes.push_back({route.method, route.pattern, route.roles != kPublic});
  }
  return routes;
}

bool Handler::Applied(Position next) const { return node_.projector().applied() >= next; }

void Handler::AppendAsync(std::vector<EventDraft> drafts, EventStore::AppendCallback done) {
  metrics_.RecordAppendBatch(drafts.size());
  node_.store().AppendAsync(std::move(drafts), std::move(done));
}

void Handler::RunAsync(PendingWork work, std::function<void(Response)> done) {
  auto shared_done = std::make_shared<std::function<void(Response)>>(std::move(done));
  const bool queued =
      password_pool_.Submit([work = std::move(work.work), shared_done] { (*shared_done)(work()); });
  if (!queued) {
    Response busy = Fail(MakeProblem(503, "unavailable", "too many sign-ins at once; try again"));
    busy.headers.emplace_back("Retry-After", "1");
    (*shared_done)(std::move(busy));
  }
}

Response Handler::HandleRequest(const Request& request) {
  Step step = Start(request);
  if (auto* append = std::get_if<PendingAppend>(&step)) {
    metrics_.RecordAppendBatch(append->drafts.size());
    return append->finish(node_.store().Append(std::move(append->drafts)));
  }
  if (auto* work = std::get_if<PendingWork>(&step)) {
    std::promise<Response> answer;
    std::future<Response> answered = answer.get_future();
    RunAsync(std::move(*work),
             [&answer](Response response) { answer.set_value(std::move(response)); });
    return answered.get();
  }
  if (auto* wait = std::get_if<PendingWait>(&step)) {
    const bool applied =
        node_.projector().WaitForApplied(wait->next, options_.min_position_wait_max);
    return applied ? wait->resume() : wait->timed_out();
  }
  return std::get<Response>(std::move(step));
}

namespace {

// The route a request names: the most specific patterns that match decide, so a literal segment
// wins over a placeholder (GET /v1/events/batch is a wrong method on the batch route, not event
// "batch"). `route` is null when none has the method; `allowed_methods` then lists those that do
// (empty: no pattern matches at all).
struct Routing {
  const Route* route = nullptr;
  std::vector<std::string> params;  // the route's path parameters, decoded
  std::string allowed_methods;
};

Routing FindRoute(std::string_view method, std::string_view path) {
  Routing routing;
  std::vector<std::string> candidate_params;
  std::optional<uint64_t> best_rank;
  for (const Route& candidate : RouteTable()) {
    if (!Match(candidate.pattern, path, candidate_params)) continue;
    const uint64_t rank = Specificity(candidate.pattern);
    if (best_rank && rank < *best_rank) continue;
    if (!best_rank || rank > *best_rank) {
      best_rank = rank;
      routing.route = nullptr;
      routing.allowed_methods.clear();
    }
    if (candidate.method == method && routing.route == nullptr) {
      routing.route = &candidate;
      routing.params.swap(candidate_params);
    }
    routing.allowed_methods +=
        (routing.allowed_methods.empty() ? "" : ", ") + std::string(candidate.method);
  }
  return routing;
}

// 404 when no pattern matches, else 405 with the methods that would.
Response NoRoute(const Request& request, std::string_view path, const Routing& routing) {
  if (routing.allowed_methods.empty()) {
    Response response = Fail(NotFound("no route " + std::string(path)));
    response.route = kUnmatchedRoute;
    return response;
  }
  Response response = Fail(MakeProblem(405, "method_not_allowed",
                                       request.method + " is not allowed on " + std::string(path)));
  response.headers.emplace_back("Allow", routing.allowed_methods);
  response.route = kUnmatchedRoute;
  return response;
}

// The value of the cookie `name` in a Cookie header ("" when absent).
std::string_view CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t end = std::min(header.find(';'), header.size());
    std::string_view pair = header.substr(0, end);
    header.remove_prefix(std::min(end + 1, header.size()));
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
  }
  return {};
}

// Who is calling, and whether that role may use the route: fills call.principal, and
// call.session for a session. A Bearer key wins over a cookie; a session acts with its account's
// role and scope exactly as a key would, through the same checks after this one. A session's
// request that may change something (any method but GET and HEAD) must carry its CSRF token.
std::optional<Problem> Authenticate(const Route& route, KeyStore& keys, AccountStore& accounts,
                                    int64_t now_us, Call& call) {
  if (route.roles == kPublic) return std::nullopt;
  const std::string_view key = BearerKey(call.request.authorization);
  if (!key.empty()) {
    call.principal = keys.Authenticate(key);
  } else if (const std::string_view cookie = CookieValue(call.request.cookie, kSessionCookie);
             !cookie.empty()) {
    call.session = accounts.Authenticate(cookie, now_us);
    if (call.session) {
      const AccountInfo& account = call.session->account;
      call.principal = Principal{account.account_id, account.role, account.scope_id};
    }
  }
  if (!call.principal) {
    return MakeProblem(401, "unauthenticated",
                       "send a valid key as 'Authorization: Bearer <key>', or sign in");
  }
  if (call.session && call.request.method != "GET" && call.request.method != "HEAD") {
    const std::string& expected = call.session->csrf_token;
    const std::string& given = call.request.csrf_token;
    if (given.size() != expected.size() ||
        CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
      return MakeProblem(403, "csrf_failed",
                         "send the session's csrf_token as the X-CSRF-Token header");
    }
  }
  if ((route.roles & Bit(call.principal->role)) == 0) {
    return Forbidden("the " + std::string(RoleName(call.principal->role)) + " role may not use " +
                     std::string(route.method) + " " + std::string(route.pattern));
  }
  return std::nullopt;
}

// Query parameters: each known to the route, each given once; fills call.query.
std::optional<Problem> ParseQuery(const Route& route, std::string_view query, Call& call) {
  size_t at = 0;
  while (at < query.size()) {
    const size_t end = std::min(query.find('&', at), query.size());
    const std::string_view pair = query.substr(at, end - at);
    at = end + 1;
    if (pair.empty()) continue;
    const size_t equals = pair.find('=');
    std::optional<std::string> name = PercentDecode(pair.substr(0, equals), true);
    std::optional<std::string> value =
        PercentDecode(equals == std::string_view::npos ? "" : pair.substr(equals + 1), true);
    if (!name || !value) return MakeProblem(400, "invalid_field", "malformed query string");
    const bool known =
        (route.read && *name == "min_position") ||
        ("," + std::string(route.query) + ",").find("," + *name + ",") != std::string::npos;
    if (!known) return ParameterProblem(*name, "is not a parameter of this route");
    if (call.Query(*name) != nullptr) return ParameterProblem(*name, "is given twice");
    call.query.emplace_back(std::move(*name), std::move(*value));
  }
  return std::nullopt;
}

// A POST's body: within the size limit, and JSON (or a spreadsheet, for a route that takes one).
std::optional<Problem> CheckBody(const Route& route, const Request& request,
                                 size_t body_bytes_max) {
  if (request.method != "POST") return std::nullopt;
  if (request.body.size() > body_bytes_max) {
    return MakeProblem(413, "too_large",
                       "the body is over " + std::to_string(body_bytes_max) + " bytes");
  }
  if (route.sheet_body) {
    if (IsSheetMediaType(request.content_type)) return std::nullopt;
    return MakeProblem(415, "unsupported_media_type",
                       "send the file as Content-Type: text/csv or " + std::string(kXlsxMediaType));
  }
  if (!IsJsonMediaType(request.content_type)) {
    return MakeProblem(415, "unsupported_media_type",
                       "send the body as Content-Type: application/json");
  }
  return std::nullopt;
}

}  // namespace

Step Handler::Start(const Request& request) {
  const std::string_view target = request.target;
  const size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

  Routing routing = FindRoute(request.method, path);
  if (routing.route == nullptr) {
    // Paths outside the API are the web console's, served without a key.
    if (routing.allowed_methods.empty() && !IsApiPath(path)) {
      Response response = web_root_.Serve(request, path);
      response.route = kConsoleRoute;
      return response;
    }
    return NoRoute(request, path, routing);
  }
  const Route& route = *routing.route;
  Call call{request, std::nullopt, std::nullopt, std::move(routing.params), {}, {}};
  Step step = [&]() -> Step {
    if (std::optional<Problem> problem = Authenticate(route, keys_, accounts_, NowUs(), call)) {
      return Fail(*problem);
    }
    if (!options_.replica_of.empty() && !route.read && route.roles != kPublic) {
      return Fail(MakeProblem(
          409, "read_only_replica",
          "this is a read replica; send writes to the primary, " + options_.replica_of));
    }
    if (std::optional<Problem> problem = ParseQuery(route, query, call)) return Fail(*problem);
    if (std::optional<Problem> problem =
            CheckBody(route, request, options_.request_body_bytes_max)) {
      return Fail(*problem);
    }
    if (const std::string* min_position = call.Query("min_position");
        min_position != nullptr && !ParseUnsigned(*min_position)) {
      return Fail(ParameterProblem("min_position", "must be a log position"));
    }
    if (std::optional<PendingWait> wait = WaitForMinPosition(request, call)) return *wait;
    return route.run(*this, call);
  }();
  RecordPersonalReads(step, route.method, route.pattern, call);
  Tag(step, route.pattern, call.principal ? call.principal->key_id : std::string());
  return step;
}

void Handler::NotePersonalRead(Call& call, std::string_view member_id) {
  if (options_.access_log == nullptr) return;
  call.personal_reads.emplace_back(member_id);
}

void Handler::RecordPersonalReads(Step& step, std::string_view method, std::string_view pattern,
                                  Call& call) {
  if (call.personal_reads.empty()) return;
  std::vector<std::string>& ids = call.personal_reads;
  if (ids.size() > 1) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  }
  AccessRead read;
  read.actor = call.principal ? call.principal->key_id : std::string();
  read.role = call.principal ? std::string(RoleName(call.principal->role)) : "public";
  read.route.reserve(method.size() + 1 + pattern.size());
  read.route.append(method).append(" ").append(pattern);
  read.member_ids = std::move(ids);
  auto record = [this](const Response& response, AccessRead& noted) {
    if (response.status < 200 || response.status >= 300) return;
    noted.at_us = NowUs();
    options_.access_log->Note(std::move(noted));
  };
  if (auto* response = std::get_if<Response>(&step)) {
    record(*response, read);
  } else if (auto* append = std::get_if<PendingAppend>(&step)) {
    append->finish = [record, read = std::move(read), finish = std::move(append->finish)](
                         const Result<std::vector<AppendResult>>& result) mutable {
      Response response = finish(result);
      record(response, read);
      return response;
    };
  } else if (auto* work = std::get_if<PendingWork>(&step)) {
    work->work = [record, read = std::move(read), run = std::move(work->work)]() mutable {
      Response response = run();
      record(response, read);
      return response;
    };
  }
  // A PendingWait runs the request again once applied (Start), which notes its reads then.
}

std::optional<PendingWait> Handler::WaitForMinPosition(const Request& request, const Call& call) {
  const std::string* min_position = call.Query("min_position");
  if (min_position == nullptr) return std::nullopt;
  std::optional<uint64_t> next = ParseUnsigned(*min_position);
  LEDGER_ASSERT(next.has_value());  // Start checked it
  // min_position=N: wait until the event at N is applied, i.e. applied() > N.
  const Position wanted{*next + 1};
  if (Applied(wanted)) return std::nullopt;
  auto timed_out = [this, wanted] {
    return Fail(MakeProblem(503, "unavailable",
                            "the projections have not applied position " +
                                std::to_string(wanted.value - 1) + " within " +
                                std::to_string(options_.min_position_wait_max.count()) + " ms"));
  };
  // Once applied, the same request runs again and passes this check (reads never append).
  auto resume = [this, request, timed_out] {
    Step retry = Start(request);
    auto* response = std::get_if<Response>(&retry);
    return response != nullptr ? std::move(*response) : timed_out();
  };
  return PendingWait{wanted, std::move(resume), std::move(timed_out)};
}

// ---- reads ----

bool Endpoints::MaySeePersonal(const Call& call, std::string_view member_branch) {
  return call.role() == Role::kAdmin || (call.role() == Role::kCoordinator &&
                                         !member_branch.empty() && member_branch == call.scope());
}

const Member* Endpoints::MemberInScope(const Call& call, const LedgerState& state,
                                       std::string_view id) {
  const Member* member = state.FindMember(MemberRef(id));
  if (member == nullptr) return nullptr;
  if (call.role() == Role::kCoordinator && member->branch_id.view() != call.scope()) return nullptr;
  return member;
}

Step Endpoints::Healthz(Handler&, Call&) { return JsonResponse(200, {{"status", "ok"}}); }

Step Endpoints::Readyz(Handler& h, Call&) {
  const Status store = h.node_.store().health();
  const Status projector = h.node_.projector().health();
  if (h.draining_) return Fail(MakeProblem(503, "unavailable", "shutting down"));
  if (!store.ok()) return Fail(MakeProblem(503, "unavailable", "store: " + store.ToString()));
  if (!projector.ok()) {
    return Fail(MakeProblem(503, "unavailable", "projector: " + projector.ToString()));
  }
  json::object body{{"status", "ready"},
                    {"head", h.node_.store().GetHead().next.value},
                    {"applied", h.node_.projector().applied().value}};
  // The relay is detail, not readiness: the API serves and appends without it, and a relay that
  // stopped for good needs an operator, not a load balancer taking the ledger out of service.
  if (const KafkaRelay* relay = h.options_.kafka_relay) {
    const KafkaRelayProgress progress = relay->progress();
    const Status health = relay->health();
    body["kafka_relay"] = json::object{{"health", health.ok() ? "ok" : health.ToString()},
                                       {"topics_ready", progress.topics_ready},
                                       {"confirmed", progress.confirmed.value},
                                       {"lag_events", progress.lag_events},
                                       {"lag_seconds", progress.lag_seconds},
                                       {"last_error", progress.last_error}};
  }
  // Likewise a replica whose replicator stopped for good (a broken chain) still serves what it
  // verified; the operator needs to know.
  if (const KafkaReplicator* replicator = h.options_.kafka_replicator) {
    const Status health = replicator->health();
    body["kafka_replica"] = json::object{{"health", health.ok() ? "ok" : health.ToString()}};
  }
  return JsonResponse(200, std::move(body));
}

Step Endpoints::OpenApi(Handler&, Call&) {
  Response response;
  response.body = std::string(OpenApiDocument());
  return response;
}

Step Endpoints::MetricsText(Handler& h, Call&) {
  Response response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body =
      h.metrics_.Render(h.node_.store().GetHead().next.value, h.node_.projector().applied().value);
  if (const KafkaRelay* relay = h.options_.kafka_relay) {
    response.body += RenderKafkaRelay(relay->progress(), relay->health());
  }
  return response;
}

Step Endpoints::ListEvents(Handler& h, Call& call) {
  std::optional<uint64_t> from = uint64_t{0};
  if (const std::string* text = call.Query("from")) from = ParseUnsigned(*text);
  if (!from) return Fail(ParameterProblem("from", "must be a log position"));
  Checked<size_t> limit = Limit(call, h.options_.list_items_default, h.options_.list_items_max);
  if (!limit.ok()) return Fail(limit.problem());
  const Head head = h.node_.store().GetHead();
  auto events = h.node_.store().ReadFrom(Position{*from}, *limit);
  if (!events.ok()) return Fail(ProblemForStatus(events.status()));
  json::object body;
  const uint64_t next =
      events->empty() ? std::max(*from, uint64_t{0}) : events->back().position.value + 1;
  body["events"] = EventsJson(h, call, h.node_.vault(), *events, h.node_.projector());
  body["next"] = next;
  body["head"] = std::max(head.next.value, next);
  return JsonResponse(200, body);
}

Step Endpoints::GetEvent(Handler& h, Call& call) {
  std::optional<uint64_t> position = ParseUnsigned(call.params[0]);
  if (!position) return Fail(NotFound("no event at " + call.params[0]));
  auto event = h.node_.store().ReadAt(Position{*position});
  if (!event.ok()) return Fail(ProblemForStatus(event.status()));
  json::array events = EventsJson(h, call, h.node_.vault(), {*event}, h.node_.projector());
  return JsonResponse(200, events[0]);
}

Step Endpoints::GetStream(Handler& h, Call& call) {
  const std::string& stream = call.params[0];
  if ((call.role() == Role::kPartner && stream != "partner-" + call.scope()) ||
      (call.role() == Role::kMember && stream != "member-" + call.scope())) {
    return Fail(NoSuch("stream", stream));  // as if it did not exist: no probing of ids
  }
  std::optional<uint64_t> from = uint64_t{1};
  if (const std::string* text = call.Query("from_version")) from = ParseUnsigned(*text);
  if (!from) return Fail(ParameterProblem("from_version", "must be a stream version"));
  Checked<size_t> limit = Limit(call, h.options_.list_items_default, h.options_.list_items_max);
  if (!limit.ok()) return Fail(limit.problem());
  auto events =
      h.node_.store().ReadStream(stream, StreamVersion{std::max<uint64_t>(*from, 1)}, *limit);
  if (!events.ok()) return Fail(ProblemForStatus(events.status()));
  if (events->empty() && *from <= 1) return Fail(NoSuch("stream", stream));
  json::object body;
  body["stream"] = stream;
  body["next_version"] = events->empty() ? *from : events->back().version.value + 1;
  body["events"] = EventsJson(h, call, h.node_.vault(), *events, h.node_.projector());
  return JsonResponse(200, body);
}

Step Endpoints::GetMember(Handler& h, Call& call) {
  const std::string& id = call.params[0];
  // Scoped roles get the same 404 for "not yours" as for "not there": no probing of ids.
  if (call.role() == Role::kMember && id != call.scope()) return Fail(NoSuch("member", id));
  // The JSON is built in a buffer on the stack, not a score of heap blocks: this is the hottest
  // read (scripts/bench http). Her figures are taken under the projector's lock, her personal
  // fields read from the vault after it is released: the projector's writer never waits on a
  // vault read.
  unsigned char buffer[kMemberJsonBufferBytes];
  json::monotonic_resource memory(buffer, sizeof buffer);
  std::optional<json::object> body;
  std::string branch;
  bool personal = false;
  h.node_.projector().Read([&](const LedgerState& state) {
    const Member* member = MemberInScope(call, state, id);
    if (member == nullptr) return;
    branch = member->branch_id.view();
    personal = MaySeePersonalOf(call, branch, id);
    body.emplace(MemberJson(MemberRef(id), *member, state.policy(), personal, nullptr, &memory));
  });
  if (!body) return Fail(NoSuch("member", id));
  const std::optional<json::object> sealed =
      PersonalFieldsFor(h, call, h.node_.vault(), id, branch);
  if (sealed) AddSealedFields(*body, personal, *sealed);
  return JsonResponse(200, *body);
}

Checked<const std::string*> Endpoints::BranchParameter(const Call& call) {
  const std::string* branch = call.Query("branch_id");
  if (branch != nullptr && !IsValidId(*branch)) {
    return ParameterProblem("branch_id",
                            "must be an id: 1 to 128 characters of A-Z a-z 0-9 . _ : -");
  }
  return branch;
}

Checked<size_t> Endpoints::ListLimit(const Handler& h, const Call& call) {
  return Limit(call, h.options_.list_items_default, h.options_.list_items_max);
}

Step Endpoints::ListMembers(Handler& h, Call& call) {
  Checked<const std::string*> branch_parameter = BranchParameter(call);
  if (!branch_parameter.ok()) return Fail(branch_parameter.problem());
  const std::string* branch = *branch_parameter;
  if (call.role() == Role::kCoordinator) {
    if (branch != nullptr && *branch != call.scope()) {
      return Fail(Forbidden("a coordinator lists the members of its own branch only"));
    }
    branch = &call.scope();
  }
  std::optional<events::MemberKind> kind;
  if (const std::string* text = call.Query("kind")) {
    for (auto value : events::EnumValuesMemberKind()) {
      if (*text == events::EnumNameMemberKind(value)) kind = value;
    }
    if (!kind) return Fail(ParameterProblem("kind", "must be volunteer, elder or youth_volunteer"));
  }
  std::optional<uint64_t> min_star = uint64_t{0};
  if (const std::string* text = call.Query("min_star")) min_star = ParseUnsigned(*text);
  if (!min_star || *min_star > kStarLevels) {
    return Fail(ParameterProblem("min_star",
                                 "must be an integer from 0 to " + std::to_string(kStarLevels)));
  }
  Checked<size_t> limit = Limit(call, h.options_.list_items_default, h.options_.list_items_max);
  if (!limit.ok()) return Fail(limit.problem());
  const std::string* cursor = call.Query("cursor");
  return h.node_.projector().Read([&](const LedgerState& state) -> Step {
    // Members in id order after the cursor: collect the matches, keep the first `limit`.
    std::vector<std::pair<MemberRef, const Member*>> matches;
    for (const auto& [id, member] : state.members()) {
      if (cursor != nullptr && id.view() <= *cursor) continue;
      if (branch != nullptr && member.branch_id.view() != *branch) continue;
      if (kind && member.kind != *kind) continue;
      if (member.star < static_cast<int32_t>(*min_star)) continue;
      matches.emplace_back(id, &member);
    }
    const size_t count = std::min(*limit, matches.size());
    std::partial_sort(matches.begin(), matches.begin() + count, matches.end());
    json::object body;
    json::array& items = body["items"].emplace_array();
    for (size_t i = 0; i < count; ++i) {
      const Member& member = *matches[i].second;
      const std::optional<json::object> sealed = PersonalFieldsFor(
          h, call, h.node_.vault(), matches[i].first.view(), member.branch_id.view());
      items.push_back(
          MemberJson(matches[i].first, member, state.policy(),
                     MaySeePersonalOf(call, member.branch_id.view(), matches[i].first.view()),
                     sealed ? &*sealed : nullptr));
    }
    if (matches.size() > count) {
      body["next_cursor"] = matches[count - 1].first.view();
    } else {
      body["next_cursor"] = nullptr;
    }
    return JsonResponse(200, body);
  });
}

Step Endpoints::GetFund(Handler& h, Call& call) {
  const std::string& id = call.params[0];
  return h.node_.projector().Read([&](const LedgerState& state) -> Step {
    const Fund* fund = state.FindFund(FundRef(id));
    if (fund == nullptr) return Fail(NotFound("no fund '" + id + "'"));
    return JsonResponse(200, FundJson(FundRef(id), *fund));
  });
}

Step Endpoints::GetFundTrail(Handler& h, Call& call) {
  const std::string& id = call.params[0];
  Checked<size_t> limit = Limit(call, h.options_.list_items_default, h.options_.list_items_max);
  if (!limit.ok()) return Fail(limit.problem());
  // An empty cursor is the first page, as for every list: a client may pass next_cursor back
  // without checking for the first call.
  std::optional<uint64_t> start = uint64_t{0};
  if (const std::string* cursor = call.Query("cursor"); cursor != nullptr && !cursor->empty()) {
    start = ParseUnsigned(*cursor);
  }
  if (!start) return Fail(ParameterProblem("cursor", "is not a cursor this list gave"));
  return h.node_.projector().Read([&](const LedgerState& state) -> Step {
    if (state.FindFund(FundRef(id)) == nullptr) return Fail(NotFound("no fund '" + id + "'"));
    const std::vector<OutflowId>* outflows = state.FundOutflows(FundRef(id));
    const size_t total = outflows != nullptr ? outflows->size() : 0;
    json::object body;
    body["fund_id"] = id;
    json::array& items = body["items"].emplace_array();
    size_t i = std::min<uint64_t>(*start, total);
    for (; i < total && items.size() < *limit; ++i) {
      const Outflow* outflow = state.FindOutflow((*outflows)[i]);
      if (outflow != nullptr) items.push_back(OutflowJson((*outflows)[i], *outflow));
    }
    if (i < total) {
      body["next_cursor"] = std::to_string(i);
    } else {
      body["next_cursor"] = nullptr;
    }
    return JsonResponse(200, body);
  });
}

Step Endpoints::GetDonation(Handler& h, Call& call) {
  const std::string& id = call.params[0];
  return h.node_.projector().Read([&](const LedgerState& state) -> Step {
    const Source* source = state.FindSource(SourceRef(id));
    // Donations and grants (a grant reads as a donation with its program); not sales.
    if (source == nullptr || (!source->is_donation && !source->is_grant) ||
        (call.role() == Role::kPartner && source->partner_id.view() != call.scope())) {
      return Fail(NoSuch("donation", id));  // the same for "not yours": no probing of ids
    }
    return JsonResponse(200, DonationJson(SourceRef(id), *source));
  });
}

Step Endpoints::GetPartner(Handler& h, Call& call) {
  const std::string& id = call.params[0];
  if (call.role() == Role::kPartner && id != call.scope()) return Fail(NoSuch("partner", id));
  return h.node_.projector().Read([&](const LedgerState& state) -> Step {
    const Partner* partner = state.FindPartner(PartnerRef(id));
    if (partner == nullptr) return Fail(NoSuch("partner", id));
    return JsonResponse(200, PartnerJson(PartnerRef(id), *partner));
  });
}

Step Endpoints::GetMonthlyReport(Handler& h, Call& call) {
  Checked<const std::string*> branch_parameter = BranchParameter(call);
  if (!branch_parameter.ok()) return Fail(branch_parameter.problem());
  const std::string* branch = *branch_parameter;
  const BranchId branch_id(branch != nullptr ? std::string_view(*branch) : std::string_view());
  if (call.role() == Role::kCoordinator && branch_id.view() != call.scope()) {
    return Fail(Forbidden("a coordinator reads its own branch's reports only (give branch_id)"));
  }
  const std::string* month_text = call.Query("month");
  std::optional<MonthKey> month = month_text != nullptr ? ParseMonth(*month_text) : std::nullopt;
  if (!month) return Fail(ParameterProblem("month", "is required, as YYYY-MM"));
  return h.node_.projector().Read([&](const LedgerState& state) -> Step {
    if (!branch_id.empty() && state.FindBranch(branch_id) == nullptr) {
      return Fail(NotFound("no branch '" + branch_id.str() + "'"));
    }
    return JsonResponse(
        200,
        ReportJson(branch_id, *month, state.FindReport(ReportKey{branch_id, *month}),
                   state.FindReport(ReportKey{BranchId(), *month}), state.StarCounts(branch_id)));
  });
}

namespace {
json::object CheckpointJson(const SignedCheckpoint& checkpoint) {
  return json::object{{"position", checkpoint.position.value},
                      {"hash", HexOf(checkpoint.hash)},
                      {"recorded_at_us", checkpoint.recorded_at_us},
                      {"recorded_at", FormatInstant(checkpoint.recorded_at_us)},
                      {"signature", Hex(checkpoint.signature)}};
}
}  // namespace

Step Endpoints::GetAuditHead(Handler& h, Call&) {
  const Head head = h.node_.store().GetHead();
  json::object body;
  body["next"] = head.next.value;
  body["hash"] = HexOf(head.hash);
  body["algorithm"] = "Ed25519";
  body["public_key"] = Hex(h.signer_.public_key());
  body["public_key_pem"] = h.signer_.PublicKeyPem();
  // The newest stored checkpoint (signed every N events and at each seal, exported with the log;
  // docs/event_format.md, "Signed checkpoints").
  std::optional<SignedCheckpoint> stored;
  if (const CheckpointSigner* signer = h.node_.checkpoint_signer()) stored = signer->Latest();
  body["checkpoint"] = stored ? json::value(CheckpointJson(*stored)) : json::value(nullptr);
  if (head.next.value == 0) {
    body["position"] = nullptr;
    body["head_checkpoint"] = nullptr;
    return JsonResponse(200, body);
  }
  body["position"] = head.next.value - 1;
  // And a checkpoint of the newest event, signed now, so the head itself is vouched for.
  Result<StoredEvent> last = h.node_.store().ReadAt(Position{head.next.value - 1});
  if (!last.ok()) return Fail(ProblemForStatus(last.status()));
  body["head_checkpoint"] = CheckpointJson(SignCheckpoint(h.signer_, *last));
  return JsonResponse(200, body);
}

}  // namespace ledger::api
