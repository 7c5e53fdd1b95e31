// RedisConnection: hiredis's async API on a libuv poll handle, with pipelines and a timeout.
#include "plugins/redis_client.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <uv.h>

#include <cstdlib>
#include <utility>

#include "kong/uv.h"

namespace kong::plugins::redis {

struct RedisConnection::Batch {
  RedisConnection* connection = nullptr;
  size_t expected = 0;
  size_t received = 0;
  std::vector<Reply> replies;
  std::string error;  // set when a reply was lost
  PipelineCallback done;
  uint64_t deadline_ms = 0;
  std::list<Batch*>::iterator position;
};

// hiredis's event hooks on a uv_poll_t. Unlike <hiredis/adapters/libuv.h>, a poll error (libuv
// reports a refused connect as a status, without events) is handed to hiredis as the events
// it waits for, so it notices the failure instead of waiting forever.
struct RedisConnection::Adapter {
  redisAsyncContext* context = nullptr;
  uv_poll_t handle;
  int events = 0;

  static void OnPoll(uv_poll_t* handle, int status, int events) noexcept {
    auto* a = static_cast<Adapter*>(handle->data);
    if (status < 0) events = a->events;
    if (a->context != nullptr && (events & UV_WRITABLE)) redisAsyncHandleWrite(a->context);
    if (a->context != nullptr && (events & UV_READABLE)) redisAsyncHandleRead(a->context);
  }
  void Update() {
    if (events != 0) {
      uv_poll_start(&handle, events, &OnPoll);
    } else {
      uv_poll_stop(&handle);
    }
  }
  static void Change(void* p, int add, int remove) {
    auto* a = static_cast<Adapter*>(p);
    a->events = (a->events | add) & ~remove;
    a->Update();
  }
  static void AddRead(void* p) { Change(p, UV_READABLE, 0); }
  static void DelRead(void* p) { Change(p, 0, UV_READABLE); }
  static void AddWrite(void* p) { Change(p, UV_WRITABLE, 0); }
  static void DelWrite(void* p) { Change(p, 0, UV_WRITABLE); }
  static void Cleanup(void* p) {
    auto* a = static_cast<Adapter*>(p);
    a->context = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&a->handle),
             [](uv_handle_t* h) noexcept { delete static_cast<Adapter*>(h->data); });
  }
};

namespace {

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.kind = Reply::Kind::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.kind = Reply::Kind::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.kind = Reply::Kind::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = Reply::Kind::kArray;
      break;
    default:
      out.kind = Reply::Kind::kNil;
      break;
  }
  return out;
}

int SendArgv(redisAsyncContext* ac, redisCallbackFn* fn, void* privdata, const Command& cmd) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(cmd.size());
  lens.reserve(cmd.size());
  for (const std::string& arg : cmd) {
    argv.push_back(arg.data());
    lens.push_back(arg.size());
  }
  return redisAsyncCommandArgv(ac, fn, privdata, static_cast<int>(argv.size()), argv.data(),
                               lens.data());
}

}  // namespace

RedisConnection::RedisConnection(EventLoop& loop, RedisOptions options)
    : loop_(loop), options_(std::move(options)), timer_(loop) {}

RedisConnection::~RedisConnection() {
  destroying_ = true;
  Fail("redis connection closed");
}

uint64_t RedisConnection::Now() const { return uv_now(NativeHandle(loop_)); }

Status RedisConnection::Connect() {
  const std::string where = "redis " + options_.host + ":" + std::to_string(options_.port);
  redisAsyncContext* ac = redisAsyncConnect(options_.host.c_str(), options_.port);
  if (ac == nullptr) return Status::Unavailable(where + ": out of memory");
  if (ac->err != 0) {
    std::string why = ac->errstr;
    redisAsyncFree(ac);
    return Status::Unavailable(where + ": " + why);
  }
  auto* adapter = new Adapter;
  if (int rc = uv_poll_init(NativeHandle(loop_), &adapter->handle, ac->c.fd); rc != 0) {
    delete adapter;
    redisAsyncFree(ac);
    return Status::Unavailable(where + ": " + uv_strerror(rc));
  }
  adapter->handle.data = adapter;
  adapter->context = ac;
  ac->ev.data = adapter;
  ac->ev.addRead = &Adapter::AddRead;
  ac->ev.delRead = &Adapter::DelRead;
  ac->ev.addWrite = &Adapter::AddWrite;
  ac->ev.delWrite = &Adapter::DelWrite;
  ac->ev.cleanup = &Adapter::Cleanup;
  ac->data = this;
  redisAsyncSetConnectCallback(ac, &OnConnect);
  redisAsyncSetDisconnectCallback(ac, &OnDisconnect);
  context_ = ac;
  failure_.clear();
  setup_failed_ = false;
  // Queued before any pipeline, so their replies come first.
  if (options_.password) {
    Command auth{"AUTH"};
    if (options_.username) auth.push_back(*options_.username);
    auth.push_back(*options_.password);
    SendArgv(ac, &OnSetupReply, this, auth);
  }
  if (options_.database != 0) {
    SendArgv(ac, &OnSetupReply, this, Command{"SELECT", std::to_string(options_.database)});
  }
  return Status::Ok();
}

void RedisConnection::OnConnect(const redisAsyncContext* ac, int status) noexcept {
  auto* self = static_cast<RedisConnection*>(ac->data);
  if (status == REDIS_OK) return;
  // hiredis frees the context right after this; its pending replies come back as NULL.
  if (self->context_ == ac) self->context_ = nullptr;
  self->failure_ = std::string("redis connect ") + self->options_.host + ":" +
                   std::to_string(self->options_.port) + ": " + ac->errstr;
}

void RedisConnection::OnDisconnect(const redisAsyncContext* ac, int) noexcept {
  auto* self = static_cast<RedisConnection*>(ac->data);
  if (self->context_ == ac) self->context_ = nullptr;
}

void RedisConnection::OnSetupReply(redisAsyncContext* ac, void* reply, void* privdata) noexcept {
  auto* self = static_cast<RedisConnection*>(privdata);
  auto* r = static_cast<redisReply*>(reply);
  if (r == nullptr || r->type != REDIS_REPLY_ERROR) return;
  // Wrong password or database: the pipelines queued behind get their error replies; the next
  // Pipeline() drops this context and reconnects (a fixed server heals without a restart).
  (void)ac;
  self->failure_ = std::string("redis AUTH/SELECT: ") + std::string(r->str, r->len);
  self->setup_failed_ = true;
}

void RedisConnection::OnReply(redisAsyncContext* ac, void* reply, void* privdata) noexcept {
  auto* batch = static_cast<Batch*>(privdata);
  RedisConnection* self = batch->connection;
  if (reply == nullptr) {
    // The context is going away (closed, refused, timed out): do not send on it again.
    if (self->context_ == ac) self->context_ = nullptr;
    if (batch->error.empty()) {
      batch->error = ac->err != 0          ? std::string("redis: ") + ac->errstr
                     : !self->failure_.empty() ? self->failure_
                                           : std::string("redis connection closed");
    }
  } else {
    batch->replies.push_back(Convert(static_cast<redisReply*>(reply)));
  }
  if (++batch->received == batch->expected) self->Complete(batch);
}

void RedisConnection::Pipeline(std::vector<Command> commands, PipelineCallback done) {
  auto post = [this, &done](Result<std::vector<Reply>> result) {
    loop_.Post([done = std::move(done), result = std::move(result)]() mutable {
      done(std::move(result));
    });
  };
  if (commands.empty()) return post(std::vector<Reply>{});
  if (context_ != nullptr && setup_failed_) Fail(failure_);
  if (context_ == nullptr) {
    Status s = Connect();
    if (!s.ok()) return post(s);
  }
  auto* batch = new Batch;
  batch->connection = this;
  batch->expected = commands.size();
  batch->replies.reserve(commands.size());
  batch->done = std::move(done);
  batch->deadline_ms = Now() + static_cast<uint64_t>(options_.timeout_ms);
  batch->position = in_flight_.insert(in_flight_.end(), batch);
  size_t refused = 0;
  for (const Command& cmd : commands) {
    if (SendArgv(context_, &OnReply, batch, cmd) != REDIS_OK) ++refused;
  }
  if (refused > 0) {
    // hiredis refused (the context is disconnecting): the sent ones still answer, so wait.
    batch->error = "redis connection is closing";
    batch->received += refused;
    if (batch->received == batch->expected) {
      in_flight_.erase(batch->position);
      Result<std::vector<Reply>> failed = Status::Unavailable(batch->error);
      PipelineCallback cb = std::move(batch->done);
      delete batch;
      loop_.Post([cb = std::move(cb), failed = std::move(failed)]() mutable {
        cb(std::move(failed));
      });
      return;
    }
  }
  ArmTimer();
}

void RedisConnection::Complete(Batch* batch) {
  in_flight_.erase(batch->position);
  Result<std::vector<Reply>> result =
      batch->error.empty() ? Result<std::vector<Reply>>(std::move(batch->replies))
                           : Result<std::vector<Reply>>(Status::Unavailable(batch->error));
  PipelineCallback done = std::move(batch->done);
  delete batch;
  if (!destroying_) {
    ArmTimer();
    done(std::move(result));
  }
}

void RedisConnection::ArmTimer() {
  if (in_flight_.empty()) {
    timer_.Stop();
    return;
  }
  const uint64_t now = Now();
  const uint64_t deadline = in_flight_.front()->deadline_ms;
  timer_.Start(deadline > now ? deadline - now : 0, [this] {
    if (!in_flight_.empty() && in_flight_.front()->deadline_ms <= Now()) {
      Fail("redis " + options_.host + ":" + std::to_string(options_.port) + ": timeout");
    } else {
      ArmTimer();
    }
  });
}

void RedisConnection::Fail(const std::string& why) {
  redisAsyncContext* ac = context_;
  context_ = nullptr;
  failure_ = why;
  // Its pending replies come back as NULL, completing the pipelines sent on it (at once, or
  // after the hiredis callback we may be inside of returns).
  if (ac != nullptr) redisAsyncFree(ac);
}

std::string RedisConnections::ConnectionKey(const RedisOptions& o) {
  return o.host + '\n' + std::to_string(o.port) + '\n' + std::to_string(o.database) + '\n' +
         std::to_string(o.timeout_ms) + '\n' + o.username.value_or("") + '\n' +
         (o.password ? "+" + *o.password : std::string("-"));
}

RedisConnection& RedisConnections::Get(const std::string& key, const RedisOptions& options) {
  auto it = connections_.find(key);
  if (it == connections_.end()) {
    it = connections_.emplace(key, std::make_unique<RedisConnection>(loop_, options)).first;
  }
  return *it->second;
}

}  // namespace kong::plugins::redis
