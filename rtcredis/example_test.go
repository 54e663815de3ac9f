package rtcredis_test

import (
	"context"
	"log"
	"net/http"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtcredis"
)

// Every replica of a backend builds the same handler on the same Redis: an
// event RTC delivers several times, to any replicas, is processed once.
func ExampleNewDedupStore() {
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR"), ContextTimeoutEnabled: true})
	store := rtcredis.NewDedupStore(rdb,
		rtcredis.WithDedupKeyPrefix("myapp:prod:rtc-events:"), // the same on every replica
		// While Redis is down the handler answers 503 and RTC delivers again
		// later (the default); DedupFailOpen processes without deduplication.
		rtcredis.WithDedupFailureMode(rtcredis.DedupFailClosed),
	)
	handler, err := rtc.NewCallbackHandler(os.Getenv("RTC_CALLBACK_SECRET"),
		func(ctx context.Context, ev *rtc.CallbackEvent) error {
			log.Printf("event %s: %s", ev.EventID, ev.EventType)
			return nil // an error answers 500, and the next delivery runs again
		},
		rtc.WithCallbackDedup(store))
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/rtc/callback", handler)
}

// The same Redis client serves both pieces: the account's call quota and
// the callback event record.
func ExampleNewLimiter() {
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR"), ContextTimeoutEnabled: true})
	creds := rtc.Credentials{AccessKeyID: os.Getenv("VOLCENGINE_ACCESS_KEY"), SecretAccessKey: os.Getenv("VOLCENGINE_SECRET_KEY")}
	client, err := rtc.New(rtc.WithCredentials(creds),
		rtc.WithRateLimiter(rtcredis.NewLimiter(rdb, creds.AccessKeyID))) // the id, never the secret
	if err != nil {
		log.Fatal(err)
	}
	_ = client
	_ = rtcredis.NewDedupStore(rdb)
}
