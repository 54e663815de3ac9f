package rtctest

import (
	"slices"
	"strings"
	"time"
)

// fakeAccountID is the account every app of the fake belongs to.
const fakeAccountID = "2100000001"

type appRecord struct {
	id, name, key, secondary, instance string
	created                            time.Time
	status                             int64
}

type businessRecord struct {
	id, remarks string
	created     time.Time
}

// pageOf parses Offset and Limit (sent as strings or numbers) with a
// default limit of 10 and returns the bounds within n items.
func (c *call) pageOf(n int) (offset, limit, lo, hi int) {
	o, _ := toInt(c.in["Offset"])
	l, ok := toInt(c.in["Limit"])
	if !ok || l <= 0 {
		l = 10
	}
	offset, limit = int(max(o, 0)), int(l)
	lo = min(offset, n)
	hi = min(lo+limit, n)
	return
}

// CreateApp makes an app with a 24-character AppId and fresh keys.
func handleCreateApp(c *call) (any, *apiError) {
	r := &appRecord{
		id: newHexID(12), name: c.str("AppName"), key: newHexID(16), secondary: newHexID(16),
		instance: "rtc-" + newHexID(8), created: c.now, status: 1,
	}
	s := c.srv
	s.mu.Lock()
	s.st.created = append(s.st.created, r)
	s.mu.Unlock()
	return map[string]any{
		"AppId": r.id, "AppKey": r.key, "SecondaryAppKey": r.secondary, "Name": r.name,
		"CreateDate": r.created.Format(time.RFC3339), "InstanceId": r.instance, "InstanceStatus": 1,
		"Owner": fakeAccountID,
	}, nil
}

// ListApps pages through the apps made with CreateApp, oldest first
// (Reverse 1: newest first), optionally only AppId.
func handleListApps(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	apps := slices.Clone(s.st.created)
	s.mu.Unlock()
	if id := c.str("AppId"); id != "" {
		apps = slices.DeleteFunc(apps, func(r *appRecord) bool { return r.id != id })
	}
	if rv, _ := c.num("Reverse"); rv == 1 {
		slices.Reverse(apps)
	}
	offset, limit, lo, hi := c.pageOf(len(apps))
	list := make([]any, 0, hi-lo)
	for _, r := range apps[lo:hi] {
		list = append(list, map[string]any{
			"AppId": r.id, "AppName": r.name, "AppKey": r.key, "SecondaryAppKey": r.secondary,
			"CreateAt": r.created.Format(time.RFC3339), "Status": r.status,
		})
	}
	return map[string]any{"AppList": list, "Offset": offset, "Limit": limit, "Total": len(apps)}, nil
}

func handleModifyAppStatus(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.st.created {
		if r.id == c.appID() {
			// 1 enables the app (running), 2 disables it (98 in the list).
			if n, _ := c.num("Status"); n == 2 {
				r.status = 98
			} else {
				r.status = 1
			}
			return "success", nil
		}
	}
	return nil, invalid("InvalidParameter.NotExistAppId", "app %q does not exist", c.appID())
}

// Business IDs.

func (a *appState) businessIndex(id string) int {
	return slices.IndexFunc(a.business, func(b *businessRecord) bool { return b.id == id })
}

func handleAddBusinessID(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.app(c.appID())
	id := c.str("BusinessId")
	if a.businessIndex(id) >= 0 {
		return nil, invalid("InvalidParameter", "BusinessId %q already exists", id)
	}
	a.business = append(a.business, &businessRecord{id: id, remarks: c.str("Remarks"), created: c.now})
	return "success", nil
}

func handleDeleteBusinessID(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.app(c.appID())
	i := a.businessIndex(c.str("BusinessId"))
	if i < 0 {
		return nil, invalid("InvalidParameter", "BusinessId %q does not exist", c.str("BusinessId"))
	}
	a.business = slices.Delete(a.business, i, i+1)
	return "success", nil
}

func handleModifyBusinessRemarks(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.app(c.appID())
	i := a.businessIndex(c.str("BusinessId"))
	if i < 0 {
		return nil, invalid("InvalidParameter", "BusinessId %q does not exist", c.str("BusinessId"))
	}
	a.business[i].remarks = c.str("Remarks")
	return "success", nil
}

func handleGetAllBusinessID(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	a := s.st.app(c.appID())
	all := slices.Clone(a.business)
	s.mu.Unlock()
	_, _, lo, hi := c.pageOf(len(all))
	recs := make([]any, 0, hi-lo)
	for _, b := range all[lo:hi] {
		recs = append(recs, map[string]any{
			"AppId": c.appID(), "BusinessId": b.id, "Remarks": b.remarks, "CreatedTime": b.created.Format(time.RFC3339),
		})
	}
	return map[string]any{"BusinessRecords": recs, "TotalSize": len(all)}, nil
}

// Callbacks: one per (AppId, BusinessId).

func (a *appState) callbackIndex(business string) int {
	return slices.IndexFunc(a.callbacks, func(cb map[string]any) bool { return cb["BusinessId"] == business })
}

func (c *call) business() string {
	if s := c.str("BusinessId"); s != "" {
		return s
	}
	return c.str("BusinessID")
}

func (c *call) callbackRecord(created time.Time) map[string]any {
	return map[string]any{
		"AccountId": fakeAccountID, "AppId": c.appID(), "BusinessId": c.business(),
		"EventList": c.in["EventList"], "SecretKey": c.str("SecretKey"), "URL": c.str("URL"),
		"Region": c.srv.cfg.region, "CreatedAt": created.Format(time.RFC3339), "UpdatedAt": c.now.Format(time.RFC3339),
	}
}

func handleCreateCallback(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.app(c.appID())
	if a.callbackIndex(c.business()) >= 0 {
		return nil, invalid("InvalidParameter", "a callback for BusinessId %q already exists; use UpdateCallback", c.business())
	}
	a.callbacks = append(a.callbacks, c.callbackRecord(c.now))
	return "success", nil
}

func handleUpdateCallback(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.app(c.appID())
	i := a.callbackIndex(c.business())
	if i < 0 {
		return nil, invalid("InvalidParameter", "no callback for BusinessId %q", c.business())
	}
	created, _ := time.Parse(time.RFC3339, a.callbacks[i]["CreatedAt"].(string))
	a.callbacks[i] = c.callbackRecord(created)
	return "success", nil
}

// DeleteCallback deletes the callback of BusinessId, or every callback of
// the app when BusinessId is absent. Deleting nothing succeeds.
func handleDeleteCallback(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.app(c.appID())
	if b := c.business(); b != "" {
		a.callbacks = slices.DeleteFunc(a.callbacks, func(cb map[string]any) bool { return cb["BusinessId"] == b })
	} else {
		a.callbacks = nil
	}
	return "success", nil
}

// GetCallback lists the app's callbacks; the top-level fields repeat the
// first one (empty when there is none).
func handleGetCallback(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.app(c.appID())
	out := map[string]any{
		"AccountId": fakeAccountID, "AppId": c.appID(), "BusinessId": "", "CreatedAt": "", "UpdatedAt": "",
		"EventList": "", "Region": c.srv.cfg.region, "SecretKey": "", "URL": "",
	}
	list := make([]any, 0, len(a.callbacks))
	for _, cb := range a.callbacks {
		list = append(list, cb)
	}
	if len(a.callbacks) > 0 {
		first := a.callbacks[0]
		for _, k := range [...]string{"BusinessId", "CreatedAt", "UpdatedAt", "SecretKey", "URL"} {
			out[k] = first[k]
		}
		var events []string
		if l, ok := first["EventList"].([]any); ok {
			for _, e := range l {
				if s, ok := e.(string); ok {
					events = append(events, s)
				}
			}
		}
		out["EventList"] = strings.Join(events, ",")
	}
	out["Callbacks"] = list
	return out, nil
}

// Failover policies: IDs count up from 1 across both kinds.

func (c *call) policyID() int {
	id, _ := c.num("ID")
	return int(id)
}

func handleCreateFailRecoveryPolicy(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.policyID++
	p := map[string]any{
		"ID": s.st.policyID, "AppID": c.str("AppID"), "RoomID": c.str("RoomID"),
		"FromVendor": c.str("FromVendor"), "ToVendor": c.str("ToVendor"), "RecoveryPercentage": 0,
		"CreateTime": c.now.Unix(), "UpdateTime": c.now.Format(time.RFC3339),
	}
	s.st.failover[s.st.policyID] = p
	return map[string]any{"Policy": p}, nil
}

func handleUpdateFailRecoveryPolicy(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.st.failover[c.policyID()]
	if !ok {
		return nil, invalid("InvalidParameter", "no fail recovery policy with ID %d", c.policyID())
	}
	p := make(map[string]any, len(old))
	for k, v := range old {
		p[k] = v
	}
	p["RecoveryPercentage"], _ = c.num("RecoveryPercentage")
	p["UpdateTime"] = c.now.Format(time.RFC3339)
	s.st.failover[c.policyID()] = p
	return map[string]any{"Policy": p}, nil
}

func handleDeleteFailRecoveryPolicy(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.failover[c.policyID()]; !ok {
		return nil, invalid("InvalidParameter", "no fail recovery policy with ID %d", c.policyID())
	}
	delete(s.st.failover, c.policyID())
	return "success", nil
}

// GetFailRecoveryPolicies lists the policies matching AppID, RoomID,
// FromVendor and ToVendor. OrderBy createTime and priority list them in
// the order they were created; updateTime (the default) lists the most
// recently updated first.
func handleGetFailRecoveryPolicies(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int, 0, len(s.st.failover))
	for id, p := range s.st.failover {
		match := true
		for _, k := range [...]string{"AppID", "RoomID", "FromVendor", "ToVendor"} {
			if want := c.str(k); want != "" && p[k] != want {
				match = false
			}
		}
		if match {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if o := c.str("OrderBy"); o == "" || o == "updateTime" {
		// Newest update first; the RFC 3339 times sort as text, ties by
		// the later ID.
		slices.SortStableFunc(ids, func(a, b int) int {
			ua, _ := s.st.failover[a]["UpdateTime"].(string)
			ub, _ := s.st.failover[b]["UpdateTime"].(string)
			if c := strings.Compare(ub, ua); c != 0 {
				return c
			}
			return b - a
		})
	}
	list := make([]any, 0, len(ids))
	for _, id := range ids {
		list = append(list, s.st.failover[id])
	}
	return map[string]any{"Policies": list}, nil
}

func handleCreateVendorPolicy(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.policyID++
	p := map[string]any{
		"ID": s.st.policyID, "AppID": c.str("AppID"), "BusinessID": c.str("BusinessID"), "RoomID": c.str("RoomID"),
		"VendorProportion": c.str("VendorProportion"), "CreateTime": c.now.Unix(), "UpdateTime": c.now.Unix(),
	}
	s.st.vendorPol[s.st.policyID] = p
	return map[string]any{"Policy": p}, nil
}

func handleUpdateVendorPolicy(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.st.vendorPol[c.policyID()]
	if !ok {
		return nil, invalid("InvalidParameter", "no vendor policy with ID %d", c.policyID())
	}
	p := make(map[string]any, len(old))
	for k, v := range old {
		p[k] = v
	}
	p["VendorProportion"] = c.str("VendorProportion")
	p["UpdateTime"] = c.now.Unix()
	s.st.vendorPol[c.policyID()] = p
	return map[string]any{"Policy": p}, nil
}
