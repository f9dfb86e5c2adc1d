#!/usr/bin/env python3
"""Writes nodes/node-red/locales/<lang>/<node>.json and .html (help) for en-US, zh-CN, zh-TW.
The texts live here in one table per language so the three stay in step; run after editing."""
import json, os

ROOT = os.path.join(os.path.dirname(__file__), '..', 'nodes', 'node-red', 'locales')

T = {
 'en-US': {
  'common': {'name': 'Name', 'config': 'Account', 'clientId': 'Client ID', 'instanceId': 'Instance ID', 'property': 'Result in', 'timeout': 'Timeout (ms)', 'attempts': 'Attempts', 'maxQps': 'Max req/s', 'concurrency': 'Concurrency'},
  'config': {'label': {'name': 'Name', 'accessKeyId': 'AccessKey ID', 'accessKeySecret': 'AccessKey Secret', 'securityToken': 'STS token', 'region': 'Region', 'network': 'Network', 'endpoint': 'Endpoint'},
             'placeholder': {'securityToken': 'Only for STS temporary credentials'},
             'tip': 'Every field accepts <code>${ENV_VAR}</code>. A custom endpoint overrides region and network. Network <code>vpc</code> works only from inside the VPC.'},
  'session': {'mode': {'exact': 'Exact: one request per device (live answer)', 'batch': 'Batch: 10 devices per request (from the service cache)'},
              'label': {'mode': 'Mode', 'routeErrors': 'Send errors to Retry and Fail outputs'},
              'outputs': {'online': 'online', 'offline': 'offline', 'retry': 'retry (transient failure)', 'fail': 'fail (permanent failure)'},
              'status': {'querying': 'querying', 'online': 'online', 'offline': 'offline'},
              'tip': 'If the Client ID is an array, one message is sent per device, with <code>msg.parts</code> for a join node. Batch mode needs ten times fewer requests but answers from a cache that can lag behind.'},
  'trace': {'label': {'minutes': 'Last (min)', 'limit': 'Max events'}, 'outputs': {'events': 'connection events'}, 'status': {'querying': 'querying', 'events': '__n__ events'}},
  'help': {
   'config': ('Alibaba Cloud account settings for ApsaraMQ for MQTT: AccessKey or STS credentials, region, network and endpoint.',
      '<h3>Details</h3><p>The AccessKey ID, AccessKey Secret and STS security token are stored as Node-RED credentials: encrypted in <code>flows_cred.json</code> and never exported with a flow. Any field can be given as <code>${ENV_VAR}</code>.</p><p>The RAM user or role needs <code>mq:MqttInstanceAccess</code> on the instance. A static STS token is not refreshed: renew it before it expires.</p><p>The endpoint is <code>onsmqtt.{region}.aliyuncs.com</code> (public) or <code>onsmqtt-vpc.{region}.aliyuncs.com</code> (VPC). A custom endpoint overrides both; plain <code>http://</code> is accepted only for a loopback address such as the local emulator.</p><h3>References</h3><ul><li><a href="https://github.com/mqtt-ops/n8n-nodes-alicloud-mqtt#node-red">Documentation</a></li></ul>'),
   'session': ('Checks whether MQTT devices are connected to Alibaba Cloud ApsaraMQ for MQTT and sends each message to the online or offline output.',
      '<h3>Inputs</h3><dl class="message-properties"><dt>payload <span class="property-type">string | array</span></dt><dd>the Client ID (<code>GID_group@@@device</code>) or a list of them, unless the Client ID is configured from elsewhere.</dd><dt class="optional">instanceId <span class="property-type">string</span></dt><dd>the instance, used when the node has no Instance ID configured.</dd></dl>'
      '<h3>Outputs</h3><ol class="node-ports"><li>online<dl class="message-properties"><dt>payload <span class="property-type">object</span></dt><dd><code>{clientId, instanceId, online: true, requestId, checkedAt}</code> (in the configured property); every other property of the incoming message is kept.</dd></dl></li>'
      '<li>offline<dl class="message-properties"><dt>payload <span class="property-type">object</span></dt><dd>the same with <code>online: false</code>.</dd></dl></li>'
      '<li>retry (only with "Send errors to Retry and Fail outputs")<dl class="message-properties"><dt>alicloudError <span class="property-type">object</span></dt><dd>a transient failure left after the automatic retries: <code>{code, httpStatus, message, requestId, retryable: true, errorClass, attempts, hint}</code>. Loop it back through a delay node.</dd></dl></li>'
      '<li>fail (only with that option)<dl class="message-properties"><dt>alicloudError <span class="property-type">object</span></dt><dd>a permanent failure (parameters, permissions, credentials), <code>retryable: false</code>.</dd></dl></li></ol>'
      '<h3>Details</h3><p>Throttling, service faults and timeouts are retried inside the node with exponential backoff (4 attempts by default); permanent errors are never retried. Without the Retry and Fail outputs, a failed message goes to a Catch node exactly once: <code>msg.error.code</code> is the Alibaba code and <code>msg.alicloudError</code> has the details and a hint.</p><p>An array of Client IDs gives one message per device, sent as each answer arrives, with <code>msg.parts</code> for a join node. Exact mode calls QuerySessionByClientId once per device; batch mode calls BatchQuerySessionByClientIds with 10 devices per request, answered from a cache that can lag behind the real state.</p><p>Everything this Node-RED sends to one endpoint, whatever the AccessKey, stays a little under the per-IP limits of the service (300/s, 100/s for batch); <i>Max req/s</i> only lowers the rate of this node. The status shows <i>querying (n)</i>, then the last result.</p>'
      '<h3>References</h3><ul><li><a href="https://www.alibabacloud.com/help/en/apsaramq-for-mqtt/developer-reference/api-onsmqtt-2020-04-20-querysessionbyclientid">QuerySessionByClientId</a></li><li><a href="https://github.com/mqtt-ops/n8n-nodes-alicloud-mqtt#node-red">Documentation</a></li></ul>'),
   'trace': ('Reads the connection history of one MQTT device (connect, disconnect and close events with reasons) from Alibaba Cloud ApsaraMQ for MQTT.',
      '<h3>Inputs</h3><dl class="message-properties"><dt>payload <span class="property-type">string</span></dt><dd>the Client ID, unless configured from elsewhere.</dd><dt class="optional">from, to <span class="property-type">number | string</span></dt><dd>the period (epoch ms or ISO 8601); default: the last N minutes configured.</dd><dt class="optional">instanceId <span class="property-type">string</span></dt><dd>used when the node has no Instance ID configured.</dd></dl>'
      '<h3>Outputs</h3><ol class="node-ports"><li>connection events<dl class="message-properties"><dt>payload <span class="property-type">array</span></dt><dd><code>[{time, action, reason, actionCode, channel}]</code>, newest first. <code>action</code> is connect, disconnect or close; <code>reason</code> tells why (no heart, closed by client, clientId conflict, ...).</dd></dl></li></ol>'
      '<h3>Details</h3><p>Calls QueryMqttTraceDevice and follows its pages up to the maximum number of events. Failures go to a Catch node once, with <code>msg.alicloudError</code>.</p><h3>References</h3><ul><li><a href="https://github.com/mqtt-ops/n8n-nodes-alicloud-mqtt#node-red">Documentation</a></li></ul>'),
  },
 },
 'zh-CN': {
  'common': {'name': '名称', 'config': '账号', 'clientId': 'Client ID', 'instanceId': '实例 ID', 'property': '结果写入', 'timeout': '超时(毫秒)', 'attempts': '尝试次数', 'maxQps': '每秒请求上限', 'concurrency': '并发数'},
  'config': {'label': {'name': '名称', 'accessKeyId': 'AccessKey ID', 'accessKeySecret': 'AccessKey Secret', 'securityToken': 'STS Token', 'region': '地域', 'network': '网络', 'endpoint': '接入点'},
             'placeholder': {'securityToken': '仅用于 STS 临时凭证'},
             'tip': '所有字段都可填写 <code>${ENV_VAR}</code>。自定义接入点会覆盖地域和网络。网络 <code>vpc</code> 仅在 VPC 内可用。'},
  'session': {'mode': {'exact': '精确:每个设备一次请求(实时结果)', 'batch': '批量:每次请求 10 个设备(来自服务缓存)'},
              'label': {'mode': '模式', 'routeErrors': '将错误发送到重试和失败输出'},
              'outputs': {'online': '在线', 'offline': '离线', 'retry': '重试(临时故障)', 'fail': '失败(永久故障)'},
              'status': {'querying': '查询中', 'online': '在线', 'offline': '离线'},
              'tip': '如果 Client ID 是数组,每个设备发送一条消息,并带有 <code>msg.parts</code> 以便 join 节点合并。批量模式请求数少十倍,但结果来自可能滞后的缓存。'},
  'trace': {'label': {'minutes': '最近(分钟)', 'limit': '最多事件数'}, 'outputs': {'events': '连接事件'}, 'status': {'querying': '查询中', 'events': '__n__ 个事件'}},
  'help': {
   'config': ('阿里云微消息队列 MQTT 版的账号设置:AccessKey 或 STS 凭证、地域、网络和接入点。',
      '<h3>详情</h3><p>AccessKey ID、AccessKey Secret 和 STS 安全令牌作为 Node-RED 凭证保存:加密存放在 <code>flows_cred.json</code> 中,导出流程时不会包含。任何字段都可以写成 <code>${ENV_VAR}</code>。</p><p>RAM 用户或角色需要对实例拥有 <code>mq:MqttInstanceAccess</code> 权限。静态 STS Token 不会自动刷新:请在过期前更新。</p><p>接入点为 <code>onsmqtt.{region}.aliyuncs.com</code>(公网)或 <code>onsmqtt-vpc.{region}.aliyuncs.com</code>(VPC)。自定义接入点会覆盖两者;<code>http://</code> 仅允许用于本机地址(如本地模拟器)。</p><h3>参考</h3><ul><li><a href="https://github.com/mqtt-ops/n8n-nodes-alicloud-mqtt#node-red">文档</a></li></ul>'),
   'session': ('检查 MQTT 设备是否连接到阿里云微消息队列 MQTT 版,并将每条消息发送到在线或离线输出。',
      '<h3>输入</h3><dl class="message-properties"><dt>payload <span class="property-type">string | array</span></dt><dd>Client ID(<code>GID_group@@@device</code>)或其列表,除非 Client ID 配置为其他来源。</dd><dt class="optional">instanceId <span class="property-type">string</span></dt><dd>节点未配置实例 ID 时使用的实例。</dd></dl>'
      '<h3>输出</h3><ol class="node-ports"><li>在线<dl class="message-properties"><dt>payload <span class="property-type">object</span></dt><dd><code>{clientId, instanceId, online: true, requestId, checkedAt}</code>(写入配置的属性);输入消息的其他属性均保留。</dd></dl></li>'
      '<li>离线<dl class="message-properties"><dt>payload <span class="property-type">object</span></dt><dd>同上,<code>online: false</code>。</dd></dl></li>'
      '<li>重试(仅在启用"将错误发送到重试和失败输出"时)<dl class="message-properties"><dt>alicloudError <span class="property-type">object</span></dt><dd>自动重试后仍存在的临时故障:<code>{code, httpStatus, message, requestId, retryable: true, errorClass, attempts, hint}</code>。可经 delay 节点回送。</dd></dl></li>'
      '<li>失败(仅在启用该选项时)<dl class="message-properties"><dt>alicloudError <span class="property-type">object</span></dt><dd>永久故障(参数、权限、凭证),<code>retryable: false</code>。</dd></dl></li></ol>'
      '<h3>详情</h3><p>限流、服务故障和超时会在节点内以指数退避自动重试(默认 4 次);永久错误不会重试。未启用重试和失败输出时,失败的消息只会被 Catch 节点接收一次:<code>msg.error.code</code> 为阿里云错误码,<code>msg.alicloudError</code> 包含详情和提示。</p><p>Client ID 数组会为每个设备生成一条消息,并带有 <code>msg.parts</code>。精确模式对每个设备调用一次 QuerySessionByClientId;批量模式调用 BatchQuerySessionByClientIds,每次 10 个设备,结果来自可能滞后的缓存。</p><p>本 Node-RED 发往同一接入点的所有请求(无论使用哪个 AccessKey)都保持在略低于服务的单 IP 上限(每秒 300 次,批量每秒 100 次);<i>Max req/s</i> 只降低本节点自己的速率。状态显示<i>查询中 (n)</i>,然后显示最近结果。</p>'
      '<h3>参考</h3><ul><li><a href="https://help.aliyun.com/zh/apsaramq-for-mqtt/developer-reference/api-onsmqtt-2020-04-20-querysessionbyclientid">QuerySessionByClientId</a></li><li><a href="https://github.com/mqtt-ops/n8n-nodes-alicloud-mqtt#node-red">文档</a></li></ul>'),
   'trace': ('从阿里云微消息队列 MQTT 版读取单个设备的连接记录(连接、断开和关闭事件及其原因)。',
      '<h3>输入</h3><dl class="message-properties"><dt>payload <span class="property-type">string</span></dt><dd>Client ID,除非配置为其他来源。</dd><dt class="optional">from, to <span class="property-type">number | string</span></dt><dd>时间范围(毫秒时间戳或 ISO 8601);默认为配置的最近 N 分钟。</dd><dt class="optional">instanceId <span class="property-type">string</span></dt><dd>节点未配置实例 ID 时使用。</dd></dl>'
      '<h3>输出</h3><ol class="node-ports"><li>连接事件<dl class="message-properties"><dt>payload <span class="property-type">array</span></dt><dd><code>[{time, action, reason, actionCode, channel}]</code>,最新的在前。<code>action</code> 为 connect、disconnect 或 close;<code>reason</code> 说明原因(no heart、closed by client、clientId conflict 等)。</dd></dl></li></ol>'
      '<h3>详情</h3><p>调用 QueryMqttTraceDevice 并按页读取,直到达到最多事件数。失败会被 Catch 节点接收一次,详情在 <code>msg.alicloudError</code>。</p><h3>参考</h3><ul><li><a href="https://github.com/mqtt-ops/n8n-nodes-alicloud-mqtt#node-red">文档</a></li></ul>'),
  },
 },
 'zh-TW': {
  'common': {'name': '名稱', 'config': '帳號', 'clientId': 'Client ID', 'instanceId': '執行個體 ID', 'property': '結果寫入', 'timeout': '逾時(毫秒)', 'attempts': '嘗試次數', 'maxQps': '每秒請求上限', 'concurrency': '並行數'},
  'config': {'label': {'name': '名稱', 'accessKeyId': 'AccessKey ID', 'accessKeySecret': 'AccessKey Secret', 'securityToken': 'STS Token', 'region': '地域', 'network': '網路', 'endpoint': '存取點'},
             'placeholder': {'securityToken': '僅用於 STS 臨時憑證'},
             'tip': '所有欄位都可填寫 <code>${ENV_VAR}</code>。自訂存取點會覆蓋地域和網路。網路 <code>vpc</code> 僅在 VPC 內可用。'},
  'session': {'mode': {'exact': '精確:每個裝置一次請求(即時結果)', 'batch': '批次:每次請求 10 個裝置(來自服務快取)'},
              'label': {'mode': '模式', 'routeErrors': '將錯誤傳送到重試和失敗輸出'},
              'outputs': {'online': '上線', 'offline': '離線', 'retry': '重試(暫時故障)', 'fail': '失敗(永久故障)'},
              'status': {'querying': '查詢中', 'online': '上線', 'offline': '離線'},
              'tip': '如果 Client ID 是陣列,每個裝置傳送一則訊息,並附帶 <code>msg.parts</code> 以便 join 節點合併。批次模式請求數少十倍,但結果來自可能延遲的快取。'},
  'trace': {'label': {'minutes': '最近(分鐘)', 'limit': '最多事件數'}, 'outputs': {'events': '連線事件'}, 'status': {'querying': '查詢中', 'events': '__n__ 個事件'}},
  'help': {
   'config': ('阿里雲微訊息佇列 MQTT 版的帳號設定:AccessKey 或 STS 憑證、地域、網路和存取點。',
      '<h3>詳細資訊</h3><p>AccessKey ID、AccessKey Secret 和 STS 安全權杖以 Node-RED 憑證保存:加密存放在 <code>flows_cred.json</code> 中,匯出流程時不會包含。任何欄位都可以寫成 <code>${ENV_VAR}</code>。</p><p>RAM 使用者或角色需要對執行個體擁有 <code>mq:MqttInstanceAccess</code> 權限。靜態 STS Token 不會自動更新:請在過期前更新。</p><p>存取點為 <code>onsmqtt.{region}.aliyuncs.com</code>(公網)或 <code>onsmqtt-vpc.{region}.aliyuncs.com</code>(VPC)。自訂存取點會覆蓋兩者;<code>http://</code> 僅允許用於本機位址(如本機模擬器)。</p><h3>參考</h3><ul><li><a href="https://github.com/mqtt-ops/n8n-nodes-alicloud-mqtt#node-red">文件</a></li></ul>'),
   'session': ('檢查 MQTT 裝置是否連線到阿里雲微訊息佇列 MQTT 版,並將每則訊息傳送到上線或離線輸出。',
      '<h3>輸入</h3><dl class="message-properties"><dt>payload <span class="property-type">string | array</span></dt><dd>Client ID(<code>GID_group@@@device</code>)或其清單,除非 Client ID 設定為其他來源。</dd><dt class="optional">instanceId <span class="property-type">string</span></dt><dd>節點未設定執行個體 ID 時使用的執行個體。</dd></dl>'
      '<h3>輸出</h3><ol class="node-ports"><li>上線<dl class="message-properties"><dt>payload <span class="property-type">object</span></dt><dd><code>{clientId, instanceId, online: true, requestId, checkedAt}</code>(寫入設定的屬性);輸入訊息的其他屬性均保留。</dd></dl></li>'
      '<li>離線<dl class="message-properties"><dt>payload <span class="property-type">object</span></dt><dd>同上,<code>online: false</code>。</dd></dl></li>'
      '<li>重試(僅在啟用「將錯誤傳送到重試和失敗輸出」時)<dl class="message-properties"><dt>alicloudError <span class="property-type">object</span></dt><dd>自動重試後仍存在的暫時故障:<code>{code, httpStatus, message, requestId, retryable: true, errorClass, attempts, hint}</code>。可經 delay 節點回送。</dd></dl></li>'
      '<li>失敗(僅在啟用該選項時)<dl class="message-properties"><dt>alicloudError <span class="property-type">object</span></dt><dd>永久故障(參數、權限、憑證),<code>retryable: false</code>。</dd></dl></li></ol>'
      '<h3>詳細資訊</h3><p>流量限制、服務故障和逾時會在節點內以指數退避自動重試(預設 4 次);永久錯誤不會重試。未啟用重試和失敗輸出時,失敗的訊息只會被 Catch 節點接收一次:<code>msg.error.code</code> 為阿里雲錯誤碼,<code>msg.alicloudError</code> 包含詳細資訊和提示。</p><p>Client ID 陣列會為每個裝置產生一則訊息,並附帶 <code>msg.parts</code>。精確模式對每個裝置呼叫一次 QuerySessionByClientId;批次模式呼叫 BatchQuerySessionByClientIds,每次 10 個裝置,結果來自可能延遲的快取。</p><p>本 Node-RED 發往同一存取點的所有請求(無論使用哪個 AccessKey)都保持在略低於服務的單 IP 上限(每秒 300 次,批次每秒 100 次);<i>Max req/s</i> 只降低本節點自己的速率。狀態顯示<i>查詢中 (n)</i>,然後顯示最近結果。</p>'
      '<h3>參考</h3><ul><li><a href="https://help.aliyun.com/zh/apsaramq-for-mqtt/developer-reference/api-onsmqtt-2020-04-20-querysessionbyclientid">QuerySessionByClientId</a></li><li><a href="https://github.com/mqtt-ops/n8n-nodes-alicloud-mqtt#node-red">文件</a></li></ul>'),
   'trace': ('從阿里雲微訊息佇列 MQTT 版讀取單一裝置的連線記錄(連線、中斷和關閉事件及其原因)。',
      '<h3>輸入</h3><dl class="message-properties"><dt>payload <span class="property-type">string</span></dt><dd>Client ID,除非設定為其他來源。</dd><dt class="optional">from, to <span class="property-type">number | string</span></dt><dd>時間範圍(毫秒時間戳記或 ISO 8601);預設為設定的最近 N 分鐘。</dd><dt class="optional">instanceId <span class="property-type">string</span></dt><dd>節點未設定執行個體 ID 時使用。</dd></dl>'
      '<h3>輸出</h3><ol class="node-ports"><li>連線事件<dl class="message-properties"><dt>payload <span class="property-type">array</span></dt><dd><code>[{time, action, reason, actionCode, channel}]</code>,最新的在前。<code>action</code> 為 connect、disconnect 或 close;<code>reason</code> 說明原因(no heart、closed by client、clientId conflict 等)。</dd></dl></li></ol>'
      '<h3>詳細資訊</h3><p>呼叫 QueryMqttTraceDevice 並分頁讀取,直到達到最多事件數。失敗會被 Catch 節點接收一次,詳細資訊在 <code>msg.alicloudError</code>。</p><h3>參考</h3><ul><li><a href="https://github.com/mqtt-ops/n8n-nodes-alicloud-mqtt#node-red">文件</a></li></ul>'),
  },
 },
}

EXTRA = {}  # filled by other generators (e.g. the watch node) that import this module


WATCH = {
 'en-US': ({'label': {'name': 'Name', 'config': 'Account', 'instanceId': 'Instance ID', 'clientIds': 'Client IDs', 'mode': 'Mode', 'interval': 'Every (s)', 'eventOffline': 'went offline', 'eventOnline': 'came online', 'offlineMinutes': 'Offline for (min)', 'onlineMinutes': 'Online for (min)', 'reportInitial': 'Report devices already offline at the first check', 'store': 'Context store', 'timeout': 'Timeout (ms)', 'attempts': 'Attempts', 'maxQps': 'Max req/s'},
            'mode': {'exact': 'Exact: one request per device', 'batch': 'Batch: 10 devices per request (cached answers)'},
            'outputs': {'offline': 'went offline', 'online': 'came online'},
            'status': {'checking': 'checking', 'counts': '__online__ online / __offline__ offline'},
            'tip': 'Client IDs one per line or comma-separated; an input message whose <code>msg.payload</code> is an array replaces the list. Interval 0: check only on input (minimum 5 s). Choose a persistent context store so that a restart does not report every device again.'},
   'Reports each MQTT device that goes offline or comes back online, checking a fleet on an interval or on each input message.',
   '<h3>Inputs</h3><dl class="message-properties"><dt class="optional">payload <span class="property-type">array</span></dt><dd>a new list of Client IDs to watch (replaces the configured one); any message triggers a check.</dd><dt class="optional">instanceId <span class="property-type">string</span></dt><dd>overrides the configured instance.</dd></dl>'
   '<h3>Outputs</h3><ol class="node-ports"><li>went offline<dl class="message-properties"><dt>payload <span class="property-type">object</span></dt><dd><code>{clientId, instanceId, event: "offline", online: false, previousOnline, since, checkedAt}</code>; <code>msg.topic</code> is the Client ID.</dd></dl></li>'
   '<li>came online<dl class="message-properties"><dt>payload <span class="property-type">object</span></dt><dd>the same with <code>event: "online"</code> and <code>offlineForMs</code>, how long the device was offline.</dd></dl></li></ol>'
   '<h3>Details</h3><p>The first check records a baseline and reports nothing (unless asked to report devices already offline). A device must be seen offline on consecutive checks spanning at least the configured minutes before "went offline" is sent: a shorter blip sends nothing. A failed check changes no state and sends nothing, so a network fault never becomes a flood of false alerts; it goes to a Catch node once. The status shows how many devices are online and offline.</p><p>The state is kept in the node context; with a persistent context store (see <code>contextStorage</code> in settings.js) a restart or redeploy does not report every device again.</p><h3>References</h3><ul><li><a href="https://github.com/mqtt-ops/n8n-nodes-alicloud-mqtt#watching-a-fleet">Documentation</a></li></ul>'),
 'zh-CN': ({'label': {'name': '名称', 'config': '账号', 'instanceId': '实例 ID', 'clientIds': 'Client ID 列表', 'mode': '模式', 'interval': '间隔(秒)', 'eventOffline': '离线', 'eventOnline': '上线', 'offlineMinutes': '离线至少(分钟)', 'onlineMinutes': '在线至少(分钟)', 'reportInitial': '首次检查时报告已离线的设备', 'store': '上下文存储', 'timeout': '超时(毫秒)', 'attempts': '尝试次数', 'maxQps': '每秒请求上限'},
            'mode': {'exact': '精确:每个设备一次请求', 'batch': '批量:每次请求 10 个设备(缓存结果)'},
            'outputs': {'offline': '已离线', 'online': '已上线'},
            'status': {'checking': '检查中', 'counts': '__online__ 在线 / __offline__ 离线'},
            'tip': 'Client ID 每行一个或用逗号分隔;<code>msg.payload</code> 为数组的输入消息会替换列表。间隔为 0 时仅在收到输入时检查(最少 5 秒)。请选择持久化上下文存储,以免重启后再次报告所有设备。'},
   '定时或在每条输入消息时检查一组设备,报告每个离线或重新上线的 MQTT 设备。',
   '<h3>输入</h3><dl class="message-properties"><dt class="optional">payload <span class="property-type">array</span></dt><dd>新的 Client ID 列表(替换配置的列表);任何消息都会触发一次检查。</dd><dt class="optional">instanceId <span class="property-type">string</span></dt><dd>覆盖配置的实例。</dd></dl>'
   '<h3>输出</h3><ol class="node-ports"><li>已离线<dl class="message-properties"><dt>payload <span class="property-type">object</span></dt><dd><code>{clientId, instanceId, event: "offline", online: false, previousOnline, since, checkedAt}</code>;<code>msg.topic</code> 为 Client ID。</dd></dl></li>'
   '<li>已上线<dl class="message-properties"><dt>payload <span class="property-type">object</span></dt><dd>同上,<code>event: "online"</code>,并带有离线时长 <code>offlineForMs</code>。</dd></dl></li></ol>'
   '<h3>详情</h3><p>首次检查只记录基线,不报告(除非选择报告已离线的设备)。设备必须在跨越至少配置分钟数的连续检查中都离线,才会发送"已离线":短暂断线不会发送。检查失败不会改变状态也不会发送消息,网络故障不会变成大量误报;失败会被 Catch 节点接收一次。状态显示在线和离线设备数。</p><p>状态保存在节点上下文中;使用持久化上下文存储(settings.js 中的 <code>contextStorage</code>)时,重启或重新部署不会再次报告所有设备。</p><h3>参考</h3><ul><li><a href="https://github.com/mqtt-ops/n8n-nodes-alicloud-mqtt#watching-a-fleet">文档</a></li></ul>'),
 'zh-TW': ({'label': {'name': '名稱', 'config': '帳號', 'instanceId': '執行個體 ID', 'clientIds': 'Client ID 清單', 'mode': '模式', 'interval': '間隔(秒)', 'eventOffline': '離線', 'eventOnline': '上線', 'offlineMinutes': '離線至少(分鐘)', 'onlineMinutes': '上線至少(分鐘)', 'reportInitial': '首次檢查時回報已離線的裝置', 'store': '內容儲存', 'timeout': '逾時(毫秒)', 'attempts': '嘗試次數', 'maxQps': '每秒請求上限'},
            'mode': {'exact': '精確:每個裝置一次請求', 'batch': '批次:每次請求 10 個裝置(快取結果)'},
            'outputs': {'offline': '已離線', 'online': '已上線'},
            'status': {'checking': '檢查中', 'counts': '__online__ 上線 / __offline__ 離線'},
            'tip': 'Client ID 每行一個或以逗號分隔;<code>msg.payload</code> 為陣列的輸入訊息會取代清單。間隔為 0 時僅在收到輸入時檢查(最少 5 秒)。請選擇持久化內容儲存,以免重新啟動後再次回報所有裝置。'},
   '定時或在每則輸入訊息時檢查一組裝置,回報每個離線或重新上線的 MQTT 裝置。',
   '<h3>輸入</h3><dl class="message-properties"><dt class="optional">payload <span class="property-type">array</span></dt><dd>新的 Client ID 清單(取代設定的清單);任何訊息都會觸發一次檢查。</dd><dt class="optional">instanceId <span class="property-type">string</span></dt><dd>覆蓋設定的執行個體。</dd></dl>'
   '<h3>輸出</h3><ol class="node-ports"><li>已離線<dl class="message-properties"><dt>payload <span class="property-type">object</span></dt><dd><code>{clientId, instanceId, event: "offline", online: false, previousOnline, since, checkedAt}</code>;<code>msg.topic</code> 為 Client ID。</dd></dl></li>'
   '<li>已上線<dl class="message-properties"><dt>payload <span class="property-type">object</span></dt><dd>同上,<code>event: "online"</code>,並附帶離線時長 <code>offlineForMs</code>。</dd></dl></li></ol>'
   '<h3>詳細資訊</h3><p>首次檢查只記錄基準,不回報(除非選擇回報已離線的裝置)。裝置必須在跨越至少設定分鐘數的連續檢查中都離線,才會傳送「已離線」:短暫斷線不會傳送。檢查失敗不會改變狀態也不會傳送訊息,網路故障不會變成大量誤報;失敗會被 Catch 節點接收一次。狀態顯示上線和離線裝置數。</p><p>狀態保存在節點內容中;使用持久化內容儲存(settings.js 中的 <code>contextStorage</code>)時,重新啟動或重新部署不會再次回報所有裝置。</p><h3>參考</h3><ul><li><a href="https://github.com/mqtt-ops/n8n-nodes-alicloud-mqtt#watching-a-fleet">文件</a></li></ul>'),
}
for _lang, (_catalog, _tooltip, _body) in WATCH.items():
    EXTRA.setdefault(_lang, {})['alicloud-mqtt-watch'] = (_catalog, _tooltip, _body)

def write(lang, node, catalog, tooltip, body):
    d = os.path.join(ROOT, lang)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f'{node}.json'), 'w', encoding='utf-8') as f:
        json.dump({node: catalog}, f, ensure_ascii=False, indent=2)
        f.write('\n')
    with open(os.path.join(d, f'{node}.html'), 'w', encoding='utf-8') as f:
        f.write(f'<script type="text/html" data-help-name="{node}">\n<p>{tooltip}</p>\n{body}\n</script>\n')

def main():
    for lang, t in T.items():
        c = t['common']
        write(lang, 'alicloud-mqtt-config', {**t['config'], 'label': {**t['config']['label']}}, *t['help']['config'])
        session_label = {k: c[k] for k in ('name', 'config', 'clientId', 'instanceId', 'property', 'timeout', 'attempts', 'maxQps', 'concurrency')}
        session_label.update(t['session']['label'])
        write(lang, 'alicloud-mqtt-session', {**t['session'], 'label': session_label}, *t['help']['session'])
        trace_label = {k: c[k] for k in ('name', 'config', 'clientId', 'instanceId', 'property', 'timeout', 'attempts')}
        trace_label.update(t['trace']['label'])
        write(lang, 'alicloud-mqtt-trace', {**t['trace'], 'label': trace_label}, *t['help']['trace'])
        for node, (catalog, tooltip, body) in EXTRA.get(lang, {}).items():
            write(lang, node, catalog, tooltip, body)

if __name__ == '__main__':
    main()
