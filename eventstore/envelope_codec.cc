#include "eventstore/envelope_codec.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "envelope_generated.h"

namespace ledger {
namespace {

std::string_view View(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : std::string_view(s->data(), s->size());
}

bool CopyHash(const flatbuffers::Vector<uint8_t>* bytes, Hash* out) {
  if (bytes == nullptr || bytes->size() != out->size()) return false;
  std::copy(bytes->begin(), bytes->end(), out->begin());
  return true;
}

}  // namespace

std::string_view EncodeEnvelopeView(const StoredEvent& event) {
  thread_local flatbuffers::FlatBufferBuilder builder(1024);
  builder.Clear();
  auto stream = builder.CreateString(event.stream);
  auto id = builder.CreateString(event.id);
  auto type = builder.CreateString(event.type);
  auto actor = builder.CreateString(event.actor);
  auto payload = builder.CreateVector(reinterpret_cast<const uint8_t*>(event.payload.data()),
                                      event.payload.size());
  auto prev_hash = builder.CreateVector(event.prev_hash.data(), event.prev_hash.size());
  auto hash = builder.CreateVector(event.hash.data(), event.hash.size());
  fb::EnvelopeBuilder envelope(builder);
  envelope.add_position(event.position.value);
  envelope.add_stream(stream);
  envelope.add_stream_version(event.version.value);
  envelope.add_id(id);
  envelope.add_type(type);
  envelope.add_occurred_at_us(event.occurred_at_us);
  envelope.add_recorded_at_us(event.recorded_at_us);
  envelope.add_actor(actor);
  envelope.add_payload(payload);
  envelope.add_prev_hash(prev_hash);
  envelope.add_hash(hash);
  builder.Finish(envelope.Finish());
  return std::string_view(reinterpret_cast<const char*>(builder.GetBufferPointer()),
                          builder.GetSize());
}

void EncodeEnvelope(const StoredEvent& event, std::string* out) {
  const std::string_view bytes = EncodeEnvelopeView(event);
  out->assign(bytes.data(), bytes.size());
}

std::string_view AlignedForFlatBuffers(std::string_view bytes) {
  thread_local std::vector<uint64_t> aligned;
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(uint64_t) == 0) return bytes;
  aligned.resize(bytes.size() / sizeof(uint64_t) + 1);
  std::memcpy(aligned.data(), bytes.data(), bytes.size());
  return std::string_view(reinterpret_cast<const char*>(aligned.data()), bytes.size());
}

Status DecodeEnvelopeInto(std::string_view bytes, StoredEvent* event) {
  bytes = AlignedForFlatBuffers(bytes);
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (!verifier.VerifyBuffer<fb::Envelope>(nullptr)) {
    return Status::Corruption("envelope bytes are not a valid FlatBuffers Envelope");
  }
  const fb::Envelope* envelope = fb::GetEnvelope(bytes.data());
  // assign() keeps each string's buffer: a reader that decodes into the same event over and
  // over allocates only when a field outgrows what it held before.
  event->position = Position{envelope->position()};
  event->stream.assign(View(envelope->stream()));
  event->version = StreamVersion{envelope->stream_version()};
  event->id.assign(View(envelope->id()));
  event->type.assign(View(envelope->type()));
  event->occurred_at_us = envelope->occurred_at_us();
  event->recorded_at_us = envelope->recorded_at_us();
  event->actor.assign(View(envelope->actor()));
  if (const auto* payload = envelope->payload()) {
    event->payload.assign(reinterpret_cast<const char*>(payload->data()), payload->size());
  } else {
    event->payload.clear();
  }
  if (!CopyHash(envelope->prev_hash(), &event->prev_hash) ||
      !CopyHash(envelope->hash(), &event->hash)) {
    return Status::Corruption("envelope hash fields are not 32 bytes");
  }
  return Status::Ok();
}

Result<StoredEvent> DecodeEnvelope(std::string_view bytes) {
  StoredEvent event;
  if (Status status = DecodeEnvelopeInto(bytes, &event); !status.ok()) return status;
  return event;
}

}  // namespace ledger
