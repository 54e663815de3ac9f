// Package rtcredis shares, through Redis, what the replicas of one RTC
// backend must agree on: the account's call quota (Limiter) and which
// callback events were processed (DedupStore).
//
// A Limiter shares the RTC OpenAPI call quota of one account. The vendor
// counts its per-action limits per account, so N replicas that each throttle
// themselves to the documented rate together send N times too much; a
// Limiter keeps one budget per account and action in Redis instead, with the
// GCRA algorithm of github.com/go-redis/redis_rate.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379", ContextTimeoutEnabled: true})
//	lim := rtcredis.NewLimiter(rdb, creds.AccessKeyID)
//	client, err := rtc.New(rtc.WithCredentials(creds), rtc.WithRateLimiter(lim))
//
// When Redis cannot be reached, or answers with a reply of the wrong shape,
// the Limiter never blocks or crashes on it: every Redis call has a short
// timeout, a malformed reply is an error (ErrMalformedReply) rather than a
// panic, and after a failure the Limiter stops asking Redis for a while and either limits each process on its own
// (LimiterFallbackLocal, the default) or lets calls through
// (LimiterFailOpen), logging a warning at most once per interval. It goes
// back to Redis as soon as Redis answers again.
//
// A DedupStore lets rtc.NewCallbackHandler process an event once however
// many replicas receive its deliveries: a delivery claims the event in Redis
// for a lease, and the outcome either marks it done for a day or releases
// it for RTC's next delivery.
//
//	store := rtcredis.NewDedupStore(rdb)
//	h, err := rtc.NewCallbackHandler(secret, fn, rtc.WithCallbackDedup(store))
//
// When Redis cannot be reached, by default (DedupFailClosed) the handler
// answers 503 without processing, and RTC delivers the event again later;
// with DedupFailOpen events are processed without deduplication. Either
// way the store logs a warning at most once per interval and uses Redis
// again as soon as it answers.
//
// The Limiter, the DedupStore and the TaskStore all guard the connections
// of the client they are given (GuardClient):
// go-redis allocates what a reply header announces before the data comes,
// so a hostile or broken server could make a 14-byte reply ("*2147483648")
// allocate 32 GiB and kill the process. The guard closes the connection
// instead when a reply announces more than MaxReplyElements elements or a
// string longer than MaxReplyBulk, and the command fails with
// ErrHostileReply: the store then applies its failure mode as for any
// Redis failure. The guard wraps connections dialed after it is added;
// build the stores before the client's first command, or build the client
// from options passed through GuardOptions (GuardDialer for cluster and
// failover options). A new store in this module calls GuardClient on the
// client it is given.
//
// Each piece has its own option type and option names: LimiterOption
// (WithLimits, WithLimiter...) for NewLimiter, DedupOption (WithDedup...)
// for NewDedupStore, TaskOption (WithTask...) for NewTaskStore.
package rtcredis
