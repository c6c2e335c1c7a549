// Original file: proto/rtmpcluster/control/v1/control.proto


export interface WatchEventsRequest {
}

export interface WatchEventsRequest__Output {
}
