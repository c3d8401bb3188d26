<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>App</name>
    <message>
        <location filename="../../siteapp/ui/app.py" line="128"/>
        <source>MedFed</source>
        <translation>MedFed</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="45"/>
        <source>Audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="49"/>
        <source>Every request this workstation sent to the coordinator: when, what it carried, how many bytes, and the SHA-256 fingerprint of the body. Shown first: the requests that carried data.</source>
        <translation>本工作站发往协调服务器的每一个请求：时间、携带的内容、字节数以及请求内容的 SHA-256 指纹。默认先显示携带了数据的请求。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="60"/>
        <source>Requests that carried data</source>
        <translation>携带数据的请求</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="61"/>
        <source>Every request (status polls grouped)</source>
        <translation>全部请求（状态轮询合并显示）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="63"/>
        <source>Uploads (model updates)</source>
        <translation>上传（模型更新）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="63"/>
        <source>Downloads</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="64"/>
        <source>Validation scores</source>
        <translation>验证指标</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="64"/>
        <source>Masking messages</source>
        <translation>掩码消息</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="65"/>
        <source>Encryption key sharing</source>
        <translation>加密密钥分发</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="66"/>
        <source>Status polls</source>
        <translation>状态查询</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="66"/>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="72"/>
        <source>upload</source>
        <translation>上传</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="72"/>
        <source>download</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="73"/>
        <source>validation</source>
        <translation>验证</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="73"/>
        <source>masking</source>
        <translation>掩码</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="74"/>
        <source>poll</source>
        <translation>轮询</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="74"/>
        <source>other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="74"/>
        <source>key sharing</source>
        <translation>密钥分发</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="77"/>
        <source>All time</source>
        <translation>全部时间</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="78"/>
        <source>Last hour</source>
        <translation>最近一小时</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="79"/>
        <source>Last day</source>
        <translation>最近一天</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="80"/>
        <source>Last week</source>
        <translation>最近一周</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="82"/>
        <source>Search endpoint, hash, content…</source>
        <translation>搜索接口、哈希值、内容…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="84"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="86"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="96"/>
        <source>Time (UTC)</source>
        <translation>时间（UTC）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="96"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="96"/>
        <source>Request</source>
        <translation>请求</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="96"/>
        <source>HTTP</source>
        <translation>HTTP</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="97"/>
        <source>Bytes sent</source>
        <translation>发送字节数</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="97"/>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="97"/>
        <source>What it carried</source>
        <translation>所含内容</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="97"/>
        <source>Tries</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="138"/>
        <source>{n} request(s) shown ({polls} of them status polls that carried nothing), {uploads} upload(s), {total:,} bytes sent in total.</source>
        <translation>显示 {n} 个请求（其中 {polls} 个是不携带任何内容的状态轮询），{uploads} 次上传，共发送 {total:,} 字节。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="154"/>
        <source>{n} status polls</source>
        <translation>{n} 次状态轮询</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="155"/>
        <source>nothing (asked for the plan or the round state)</source>
        <translation>无（仅查询计划或轮次状态）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="165"/>
        <source>Export the audit log</source>
        <translation>导出审计日志</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="166"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="174"/>
        <source>exporting the audit log</source>
        <translation>导出审计日志</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="176"/>
        <source>{n} request(s) written to {file}.</source>
        <translation>已将 {n} 个请求写入 {file}。</translation>
    </message>
</context>
<context>
    <name>DicomNetworkSection</name>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="50"/>
        <source>DICOM network (PACS and modalities)</source>
        <translation>DICOM 网络（PACS 与检查设备）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="62"/>
        <source>e.g. CT_SCANNER1, PACS_MAIN</source>
        <translation>例如 CT_SCANNER1, PACS_MAIN</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="64"/>
        <source>any host (the AE title is still checked)</source>
        <translation>任意主机（仍会检查 AE 标题）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="65"/>
        <source>Start the receiver when the app starts</source>
        <translation>应用启动时启动接收器</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="66"/>
        <source>This site&apos;s AE title</source>
        <translation>本站点的 AE 标题</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="67"/>
        <source>Receiver port</source>
        <translation>接收器端口</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="68"/>
        <source>Allowed calling AE titles</source>
        <translation>允许的调用方 AE 标题</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="69"/>
        <source>Allowed hosts</source>
        <translation>允许的主机</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="77"/>
        <source>Receiver</source>
        <translation>接收器</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="80"/>
        <source>PACS nodes this site queries, retrieves from and sends results to:</source>
        <translation>本站点查询、获取并发送结果的 PACS 节点：</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="83"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="83"/>
        <source>AE title</source>
        <translation>AE 标题</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="83"/>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="83"/>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="84"/>
        <source>Retrieve by</source>
        <translation>获取方式</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="84"/>
        <source>TLS: CA file (empty = no TLS)</source>
        <translation>TLS：CA 文件（留空 = 不使用 TLS）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="93"/>
        <source>Add node</source>
        <translation>添加节点</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="95"/>
        <source>Remove node</source>
        <translation>删除节点</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="97"/>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="99"/>
        <source>Save DICOM network settings</source>
        <translation>保存 DICOM 网络设置</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="112"/>
        <source>The DICOM receiver did not start: {problem}</source>
        <translation>DICOM 接收器未能启动：{problem}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="143"/>
        <source>C-MOVE to this site</source>
        <translation>C-MOVE 到本站点</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="144"/>
        <source>C-GET</source>
        <translation>C-GET</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="183"/>
        <source>saving the DICOM network settings</source>
        <translation>保存 DICOM 网络设置</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="185"/>
        <source>DICOM network settings saved.</source>
        <translation>DICOM 网络设置已保存。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="187"/>
        <source>Stop and start the receiver to use them.</source>
        <translation>请停止并重新启动接收器以使用新设置。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="199"/>
        <source>Listening as {ae} on port {port}.</source>
        <translation>以 {ae} 在端口 {port} 上监听。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="201"/>
        <source>Stop receiver</source>
        <translation>停止接收器</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="203"/>
        <source>Stopped: nothing can send studies to this site.</source>
        <translation>已停止：任何设备都无法向本站点发送检查。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="204"/>
        <source>Start receiver</source>
        <translation>启动接收器</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="209"/>
        <source>DICOM receiver stopped.</source>
        <translation>DICOM 接收器已停止。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="216"/>
        <source>starting the DICOM receiver</source>
        <translation>启动 DICOM 接收器</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="218"/>
        <source>DICOM receiver started.</source>
        <translation>DICOM 接收器已启动。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="223"/>
        <source>Received from {ae}: {summary}</source>
        <translation>收到来自 {ae} 的数据：{summary}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="242"/>
        <source>testing the connection to {node}</source>
        <translation>测试与 {node} 的连接</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="244"/>
        <source>{node} answered.</source>
        <translation>{node} 已应答。</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../../siteapp/ui/error_messages.py" line="31"/>
        <source>Something unexpected went wrong while {action}. The details were written to the log file (Help &gt; Open log folder). Try again; if it happens again, send that log to your IT support.</source>
        <extracomment>Errors whose message is written for a person (the coordinator client&apos;s connection failures say what went wrong and what to do in words).</extracomment>
        <translation>在{action}时发生了意外错误。详细信息已写入日志文件（帮助 &gt; 打开日志文件夹）。请重试；如果再次出现，请将该日志发送给信息科技术支持。</translation>
    </message>
</context>
<context>
    <name>FederationPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="113"/>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="515"/>
        <source>Federation</source>
        <translation>联邦学习</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="117"/>
        <source>Train together with other hospitals. Only protected model updates leave this workstation; images, labels and patient records never do.</source>
        <translation>与其他医院共同训练模型。只有受保护的模型更新会离开本工作站；影像、标注和患者记录永远不会离开。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="131"/>
        <source>open</source>
        <translation>已开放</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="131"/>
        <source>collecting updates</source>
        <translation>正在收集更新</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="132"/>
        <source>aggregating</source>
        <translation>正在聚合</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="132"/>
        <source>published</source>
        <translation>已发布</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="133"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="137"/>
        <source>Enrolment</source>
        <translation>注册</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="143"/>
        <source>CA fingerprint read out by your operator (recommended)</source>
        <translation>由联邦管理员告知的 CA 指纹（建议填写）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="144"/>
        <source>Fingerprint</source>
        <translation>指纹</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="145"/>
        <source>Request enrolment…</source>
        <translation>申请加入…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="147"/>
        <source>Make this site&apos;s private key (it never leaves this computer) and a certificate request to send to the federation&apos;s operator</source>
        <translation>生成本站点的私钥（它永远不会离开这台计算机）以及发给联邦运营方的证书申请</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="150"/>
        <source>Import enrolment kit…</source>
        <translation>导入注册包…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="152"/>
        <source>Leave this federation…</source>
        <translation>退出此联邦…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="154"/>
        <source>Forget the kit and the federation&apos;s keys, e.g. after a wrong kit. Studies, labels, models and the privacy ledger stay.</source>
        <translation>删除加入包和联邦密钥（例如导入了错误的加入包时）。检查、标注、模型和隐私账本都会保留。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="165"/>
        <source>The federation plan</source>
        <translation>联邦计划</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="177"/>
        <source>Take part</source>
        <translation>参与</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="179"/>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="392"/>
        <source>Connection: not checked yet.</source>
        <translation>连接：尚未检查。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="183"/>
        <source>Join</source>
        <translation>加入</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="186"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="188"/>
        <source>Leave after this round</source>
        <translation>本轮结束后退出</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="191"/>
        <source>Check connection</source>
        <translation>检查连接</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="210"/>
        <source>Round</source>
        <translation>轮次</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="210"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="210"/>
        <source>Patients</source>
        <translation>患者数</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="210"/>
        <source>Uploaded</source>
        <translation>已上传</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="211"/>
        <source>ε after</source>
        <translation>之后的 ε</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="211"/>
        <source>AUC (global model)</source>
        <translation>AUC（全局模型）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="219"/>
        <source>Rounds this site took part in</source>
        <translation>本站点参与过的轮次</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="243"/>
        <source>This site is not enrolled yet. Import the enrolment kit (.medfed-kit) your federation operator sent.</source>
        <translation>本站点尚未注册。请导入联邦管理员发送的注册包（.medfed-kit）。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="246"/>
        <source>The plan appears here once the kit is imported.</source>
        <translation>导入注册包后，计划将显示在这里。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="250"/>
        <source>Site &lt;b&gt;{site}&lt;/b&gt; of federation &lt;b&gt;{federation}&lt;/b&gt;&lt;br&gt;Coordinator: {url}&lt;br&gt;CA fingerprint: {fp}&lt;br&gt;Kit valid until {expires}</source>
        <translation>联邦 &lt;b&gt;{federation}&lt;/b&gt; 的站点 &lt;b&gt;{site}&lt;/b&gt;&lt;br&gt;协调服务器：{url}&lt;br&gt;CA 指纹：{fp}&lt;br&gt;注册包有效期至 {expires}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="286"/>
        <source>All {n} rounds of the plan are complete.</source>
        <translation>计划中的全部 {n} 轮均已完成。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="288"/>
        <source>Round {n} is complete; the next Join takes part in the next round.</source>
        <translation>第 {n} 轮已完成；下次点击“加入”将参与下一轮。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="293"/>
        <source>checking the training device</source>
        <translation>检查训练设备</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="297"/>
        <source>Training device: {device} (change it in Settings)</source>
        <translation>训练设备：{device}（可在“设置”中更改）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="307"/>
        <source>Request enrolment</source>
        <translation>申请加入</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="307"/>
        <source>This site&apos;s name in the federation plan:</source>
        <translation>本站点在联邦计划中的名称：</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="311"/>
        <source>Save the certificate request</source>
        <translation>保存证书申请</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="312"/>
        <source>Certificate requests (*.csr);;All files (*)</source>
        <translation>证书申请 (*.csr);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="324"/>
        <source>making the certificate request</source>
        <translation>生成证书申请</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="327"/>
        <source>Saved the certificate request of site {site} to {path}. Send it to your federation&apos;s operator and read them its fingerprint {fingerprint}; then import the kit they send back.</source>
        <translation>已将站点 {site} 的证书申请保存到 {path}。请把它发给联邦运营方，并向其核对指纹 {fingerprint}；然后导入对方发回的加入包。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="336"/>
        <source>Import the enrolment kit</source>
        <translation>导入注册包</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="336"/>
        <source>MedFed kits (*.medfed-kit);;All files (*)</source>
        <translation>MedFed 注册包 (*.medfed-kit);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="348"/>
        <source>importing the enrolment kit</source>
        <translation>导入注册包</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="353"/>
        <source>Enrolled as site {site} of federation {federation}.</source>
        <translation>已注册为联邦 {federation} 的站点 {site}。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="370"/>
        <source>Leave the federation?</source>
        <translation>退出联邦？</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="372"/>
        <source>Leave federation {federation} (site {site})? Its enrolment kit and keys are deleted from this data folder. Your studies, labels, models, round history and privacy ledger stay, and the ε already spent keeps counting. To take part again, import a kit from the operator.</source>
        <translation>退出联邦 {federation}（站点 {site}）？其加入包和密钥将从此数据文件夹中删除。您的检查、标注、模型、轮次记录和隐私账本都会保留，已消耗的 ε 继续计入。如需再次参与，请导入运营方提供的加入包。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="377"/>
        <source>Leave the federation</source>
        <translation>退出联邦</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="377"/>
        <source>Stay enrolled</source>
        <translation>保持加入</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="386"/>
        <source>leaving the federation</source>
        <translation>退出联邦</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="389"/>
        <source>Left federation {federation}. Everything else in this data folder is kept; import a kit to take part again.</source>
        <translation>已退出联邦 {federation}。此数据文件夹中的其他内容均已保留；导入加入包即可再次参与。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="407"/>
        <source>contacting the coordinator</source>
        <translation>联系协调服务器</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="426"/>
        <source>Rounds start once every site holds the federation&apos;s encryption key; waiting for: {sites}. Each site gets it when it joins.</source>
        <translation>每个站点都持有联盟的加密密钥后，轮次才会开始；正在等待：{sites}。每个站点在加入时获得密钥。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="432"/>
        <source>Connection: not reachable. {message}</source>
        <translation>连接：无法访问。{message}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="411"/>
        <source>Connection: checking…</source>
        <translation>连接：正在检查…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="418"/>
        <source>Connected. The federation has finished all its rounds.</source>
        <translation>已连接。联邦学习已完成全部轮次。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="420"/>
        <source>Connected. Round {n} is {phase}; {k} site(s) have uploaded.</source>
        <translation>已连接。第 {n} 轮状态为 {phase}；已有 {k} 个站点上传。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="441"/>
        <source>This site is taking part in a federation round. Quitting stops it now: the privacy budget recorded for the round in progress stays spent, and the round may close without this site. Press Join after you start MedFed again: the site picks up the round if it is still open, without recording its cost twice.</source>
        <translation>本站点正在参与一轮联邦训练。现在退出会立即停止：本轮已记录的隐私预算仍算作已花费，本轮可能在没有本站点的情况下结束。重新启动 MedFed 后请点击“加入”：如果该轮仍开放，站点会继续参与，且不会重复记录其成本。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="476"/>
        <source>taking part in the federation</source>
        <translation>参与联邦学习</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="484"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="485"/>
        <source>Federation running…</source>
        <translation>联邦学习进行中…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="491"/>
        <source>Pausing at the next safe point; progress is saved.</source>
        <translation>将在下一个安全点暂停；进度已保存。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="496"/>
        <source>Will stop once the current round is aggregated.</source>
        <translation>当前轮次聚合完成后将停止。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="500"/>
        <source>Connection: no answer now. {why}</source>
        <translation>连接：当前无应答。{why}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="502"/>
        <source>Connection: no answer now.</source>
        <translation>连接：当前无应答。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="503"/>
        <source>Connection: the coordinator answers again.</source>
        <translation>连接：协调服务器已恢复应答。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="515"/>
        <source>Round {n}</source>
        <translation>第 {n} 轮</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="522"/>
        <source>Paused: {why}</source>
        <translation>已暂停：{why}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="524"/>
        <source>The federation has finished. This site&apos;s ε is {eps:.2f}.</source>
        <translation>联邦学习已结束。本站点的 ε 为 {eps:.2f}。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="525"/>
        <source>The federation has finished all its rounds; there is nothing to wait for.</source>
        <translation>联邦已完成全部轮次，无需再等待。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="528"/>
        <source>Took part in {n} round(s); this site&apos;s ε is {eps:.2f}; {bytes:,} bytes sent.</source>
        <translation>已参与 {n} 轮；本站点的 ε 为 {eps:.2f}；共发送 {bytes:,} 字节。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="534"/>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
</context>
<context>
    <name>FederationPlanText</name>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="23"/>
        <source>Encrypted (CKKS): this site&apos;s update is encrypted before it leaves; the coordinator only adds encrypted updates and can never read one.</source>
        <translation>加密（CKKS）：本站点的更新在离开前即被加密；协调服务器只对加密后的更新求和，永远无法读取任何一个更新。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="25"/>
        <source>Masked (secure sum): each update is hidden by random masks that cancel only when all sites&apos; updates are added; the coordinator sees the sum only.</source>
        <translation>掩码（安全求和）：每个更新都被随机掩码遮盖，只有所有站点的更新相加时掩码才会相互抵消；协调服务器只能看到总和。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="27"/>
        <source>Not encrypted (TLS only): the coordinator can read this site&apos;s individual update. Needed by Krum and the trimmed mean (the median and the winsorised mean also run masked).</source>
        <translation>不加密（仅 TLS）：协调方可以读取本站点的单个更新。Krum 和截尾均值需要这种方式（中位数和缩尾均值也可以在掩码模式下运行）。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="36"/>
        <source>FedAvg: the new model is the average of the sites&apos; models, weighted by patients.</source>
        <translation>FedAvg：新模型是各站点模型按患者数加权的平均。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="37"/>
        <source>FedProx: like FedAvg, with each site kept close to the shared model.</source>
        <translation>FedProx：与 FedAvg 类似，但让每个站点保持接近共享模型。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="38"/>
        <source>FedMedian: the coordinate-wise median, robust to one bad site.</source>
        <translation>FedMedian：逐参数取中位数，可抵御单个异常站点。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="39"/>
        <source>Trimmed mean: the average after dropping the extremes.</source>
        <translation>截尾均值：去掉极端值后取平均。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="40"/>
        <source>Krum: keeps the update most similar to the others, robust to poisoning.</source>
        <translation>Krum：保留与其他更新最相似的更新，可抵御投毒攻击。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="41"/>
        <source>FedAdagrad: averaging with an adaptive server step.</source>
        <translation>FedAdagrad：平均后使用自适应的服务器步长。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="42"/>
        <source>FedAdam: averaging with an Adam server optimiser.</source>
        <translation>FedAdam：平均后使用 Adam 服务器优化器。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="43"/>
        <source>FedYogi: averaging with a Yogi server optimiser.</source>
        <translation>FedYogi：平均后使用 Yogi 服务器优化器。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="44"/>
        <source>Winsorised mean: each value is first limited to the range most sites agree on, then averaged; robust to a site sending extreme values.</source>
        <translation>缩尾均值：每个数值先被限制在多数站点认可的范围内，然后取平均；能抵御发送极端数值的站点。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="57"/>
        <source>Each round asks {probes} questions after training, one masked sum each: for every number of the model, is this site&apos;s value at or below a threshold the coordinator publishes? Only the count of sites answering yes is unmasked; it moves each threshold up or down, and after {probes} questions the thresholds are the median to within {precision:.1g}. The coordinator learns those counts per number and question, never one site&apos;s value or answer (unless all sites or none answer yes). A site that leaves between questions is left out of the later ones.</source>
        <translation>每轮训练后提出 {probes} 个问题，每个问题是一次掩码求和：对模型中的每个数值，本站点的值是否小于或等于协调方公布的阈值？只有回答“是”的站点数量会被解除掩码；它使每个阈值上移或下移，{probes} 个问题之后，阈值与中位数的差距在 {precision:.1g} 以内。协调方得知每个数值、每个问题的这些计数，但永远得不到某个站点的值或回答（除非所有站点都回答“是”或都回答“否”）。在问题之间离开的站点不参与后面的问题。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="68"/>
        <source>Then each site limits its update to the range found this way and the sites add their limited updates in one more masked sum.</source>
        <translation>然后每个站点把自己的更新限制在这样找到的范围内，各站点再通过一次掩码求和把限制后的更新相加。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="83"/>
        <source>The model update, as {probes} masked answers per number (is it at or below the published threshold?); only the count over at least 3 sites is ever revealed. Covered by ε: DP-SGD noise is added before any answer is computed.</source>
        <translation>模型更新，以每个数值 {probes} 个掩码回答的形式（是否小于或等于公布的阈值？）；只会公开至少 3 个站点的计数。受 ε 保护：在计算任何回答之前已加入 DP-SGD 噪声。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="90"/>
        <source>Then the update itself, limited to that range and masked.</source>
        <translation>然后是更新本身，已限制在该范围内并加了掩码。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="94"/>
        <source>The model update, {protection}. Covered by ε: DP-SGD noise is added before it leaves.</source>
        <translation>模型更新，{protection}。受 ε 保护：离开本站前已加入 DP-SGD 噪声。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="97"/>
        <source>encrypted or masked, only the sum of at least 3 sites is ever revealed</source>
        <translation>经过加密或掩码，只会公开至少 3 个站点之和</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="99"/>
        <source>readable by the coordinator (TLS only)</source>
        <translation>协调方可以读取（仅 TLS）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="100"/>
        <source>The number of training patients, {protection}. Not covered by ε: it is exact.</source>
        <translation>训练患者人数，{protection}。不受 ε 保护：它是精确值。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="103"/>
        <source>inside the encrypted or masked sum, so sites learn only the total of all sites</source>
        <translation>包含在加密或掩码的总和中，各站点只能得知所有站点的合计</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="105"/>
        <source>readable by the coordinator</source>
        <translation>协调方可以读取</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="108"/>
        <source>Validation figures: none (the plan asks for none).</source>
        <translation>验证结果：不发送（计划不要求）。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="110"/>
        <source>Validation figures: the validation patients counted by class and score band, with random noise (σ {sigma:g}) added to every count; exact AUC, counts and the confusion matrix stay here. Covered by ε: the validation patients&apos; own line in the ledger. The site policy can refuse to send them.</source>
        <translation>验证结果：按类别和评分区间统计的验证患者人数，每个计数都加入随机噪声（σ {sigma:g}）；精确的 AUC、人数和混淆矩阵留在本站。受 ε 保护：记入账本中验证患者自己的一行。站点策略可以拒绝发送。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="117"/>
        <source>When this site joins, uploads and reports, and the size of each message. Not covered by ε; training time grows with the number of patients.</source>
        <translation>本站何时加入、上传和报告，以及每条消息的大小。不受 ε 保护；训练时间随患者人数增加。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="122"/>
        <source>No image, label or patient record ever leaves; the Audit log lists every byte sent.</source>
        <translation>任何图像、标签或患者记录都不会离开本站；审计日志列出发送的每个字节。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="126"/>
        <source>If this site takes part in the statistics{needed}: intensity histograms per scanner model and patients per class of the training patients, with random noise (σ {sigma:g} x 1.41) on every number, masked: only the sum of at least 3 sites is revealed. Covered by ε: the training patients&apos; line in the ledger.</source>
        <translation>如果本站点参与统计{needed}：训练患者按扫描仪型号的强度直方图和各类别患者数，每个数字都加入随机噪声（σ {sigma:g} x 1.41）并经过掩码：只公开至少 3 个站点的总和。受 ε 覆盖：计入隐私账本中训练患者的那一行。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="133"/>
        <source> (the task needs them: it windows with the federation&apos;s percentiles)</source>
        <translation>（任务需要它们：任务使用联邦的百分位数设置窗口）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="159"/>
        <source>{rounds} rounds; each needs at least {min_sites} of the {n} sites ({sites}).</source>
        <translation>共 {rounds} 轮；每轮至少需要 {n} 个站点中的 {min_sites} 个（{sites}）。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="163"/>
        <source>{epochs} pass(es) over this site&apos;s labelled patients per round, with differential privacy: at most ε {eps:g} per round (δ {delta:g}).</source>
        <translation>每轮在本站点已标注的患者上训练 {epochs} 遍，并采用差分隐私：每轮最多 ε {eps:g}（δ {delta:g}）。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="171"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="172"/>
        <source>What is learnt</source>
        <translation>学习内容</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="173"/>
        <source>Classes</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="174"/>
        <source>Rounds</source>
        <translation>轮数</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="175"/>
        <source>Combining</source>
        <translation>聚合方式</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="176"/>
        <source>Protection</source>
        <translation>保护方式</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="177"/>
        <source>Local training</source>
        <translation>本地训练</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="178"/>
        <source>What leaves this site</source>
        <translation>离开本站点的内容</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="182"/>
        <source>Secure median</source>
        <translation>安全中位数</translation>
    </message>
</context>
<context>
    <name>GettingStarted</name>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="36"/>
        <source>1. Import studies</source>
        <translation>1. 导入检查</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="37"/>
        <source>{patients} patient(s), {images} image(s) imported. Studies &gt; Import (folders, DICOMDIR, zip) or Query PACS.</source>
        <translation>已导入 {patients} 位患者、{images} 幅图像。检查 &gt; 导入（文件夹、DICOMDIR、zip）或查询 PACS。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="40"/>
        <source>2. Label patients</source>
        <translation>2. 标注患者</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="41"/>
        <source>{labelled} patient(s) labelled, {val} kept for validation. Labels: one key per class, or import a labels CSV.</source>
        <translation>已标注 {labelled} 位患者，其中 {val} 位留作验证。标注：每个类别一个按键，或导入标注 CSV。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="44"/>
        <source>3. Enrol in the federation</source>
        <translation>3. 加入联邦</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="45"/>
        <source>Site {site} of federation {federation}.</source>
        <translation>联邦 {federation} 的站点 {site}。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="48"/>
        <source>Federation &gt; Request enrolment, send the request to your operator, then import the kit they send back.</source>
        <translation>联邦学习 &gt; 申请加入，把申请发给运营方，然后导入对方发回的加入包。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="50"/>
        <source>4. Join the rounds</source>
        <translation>4. 参与训练轮次</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="51"/>
        <source>{n} round(s) taken part in. Federation &gt; Join; the Privacy page shows what each round costs before it starts.</source>
        <translation>已参与 {n} 轮。联邦学习 &gt; 加入；隐私页面会在每轮开始前显示其隐私消耗。</translation>
    </message>
</context>
<context>
    <name>HelpPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="24"/>
        <source>Getting started</source>
        <translation>入门</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="28"/>
        <source>Four steps from a new installation to a model trained with other hospitals. No image, label or patient record ever leaves this workstation.</source>
        <translation>从全新安装到与其他医院共同训练的模型，只需四步。任何图像、标注或患者记录都不会离开这台工作站。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="35"/>
        <source>Where this site stands</source>
        <translation>本站点当前进度</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="38"/>
        <source>Good to know</source>
        <translation>须知</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="41"/>
        <source>Privacy: every training run spends part of this site&apos;s privacy budget (ε). The app says how much before it starts and refuses what would pass the cap your privacy officer set (Privacy page).</source>
        <translation>隐私：每次训练都会消耗本站点的一部分隐私预算（ε）。开始前程序会说明消耗多少，并拒绝任何会超出隐私官设定上限的操作（隐私页面）。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="44"/>
        <source>What leaves: only protected model updates and the figures listed on the Federation page; the Audit log shows every request that was sent.</source>
        <translation>离开本站的内容：只有受保护的模型更新以及联邦页面列出的指标；审计日志显示发出的每一个请求。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="46"/>
        <source>Which model answers: the newest federated model, unless you pin another on the Inference page. Results are decision support, not a diagnosis.</source>
        <translation>使用哪个模型：默认是最新的联邦模型，除非您在推理页面固定了其他模型。结果仅供决策支持，不是诊断。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="48"/>
        <source>Problems: every message says what to do next; details go to the log file (Help &gt; Open log folder).</source>
        <translation>遇到问题：每条消息都会说明下一步该做什么；详细信息写入日志文件（帮助 &gt; 打开日志文件夹）。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="62"/>
        <source>reading where this site stands</source>
        <translation>读取本站点进度</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="78"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="124"/>
        <source>Window preset (keys 1-9)</source>
        <extracomment>Percentiles that bound the &quot;auto&quot; window (mammography, unknown modalities). Pixels of mouse travel for a window change of 1/WINDOW_DRAG_STEPS of the data range. Colour frames are 0-255 RGB: the window spans exactly that. A paint gesture in paint mode: image (x, y), starts a stroke, ends it.</extracomment>
        <translation>窗宽窗位预设（按键 1-9）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="127"/>
        <source>Slice (mouse wheel, arrow keys, Page Up/Down)</source>
        <translation>层面（鼠标滚轮、方向键、Page Up/Down）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="135"/>
        <source>The pixel under the mouse: column, row and its value</source>
        <translation>鼠标下的像素：列、行及其数值</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="138"/>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="139"/>
        <source>Fit the image to the view (key F)</source>
        <translation>使图像适应视图（按键 F）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="143"/>
        <source>Window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="168"/>
        <source>Lung</source>
        <translation>肺窗</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="168"/>
        <source>Mediastinum</source>
        <translation>纵隔窗</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="169"/>
        <source>Bone</source>
        <translation>骨窗</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="169"/>
        <source>Brain</source>
        <translation>脑窗</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="170"/>
        <source>Soft tissue</source>
        <translation>软组织窗</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="173"/>
        <source>{name} (W {width:.0f} L {center:.0f})</source>
        <translation>{name}（窗宽 {width:.0f} 窗位 {center:.0f}）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="180"/>
        <source>Auto (image percentiles)</source>
        <translation>自动（图像百分位）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="189"/>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="349"/>
        <source>Slice {index} / {count}</source>
        <translation>层面 {index} / {count}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="352"/>
        <source>W {width:.0f}  L {center:.0f}</source>
        <translation>窗宽 {width:.0f}  窗位 {center:.0f}</translation>
    </message>
</context>
<context>
    <name>InferencePage</name>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="79"/>
        <source>Inference</source>
        <extracomment>Column keys of the results table, in order.</extracomment>
        <translation>推理</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="83"/>
        <source>Run the current model on a new scan or on studies already imported. The highlighted regions show what the model looked at. This is decision support, not a diagnosis.</source>
        <translation>用当前模型分析新的扫描或已导入的检查。高亮区域表示模型关注的部位。这只是辅助决策，不是诊断。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="93"/>
        <source>Open a new scan (folder)…</source>
        <translation>打开新的扫描（文件夹）…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="96"/>
        <source>Predict selected studies</source>
        <translation>预测所选检查</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="98"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="101"/>
        <source>Export as DICOM…</source>
        <translation>导出为 DICOM…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="120"/>
        <source>Imported studies (select one or more)</source>
        <translation>已导入的检查（可多选）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="125"/>
        <source>Patient</source>
        <translation>患者</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="125"/>
        <source>Images</source>
        <translation>图像数</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="125"/>
        <source>Study</source>
        <translation>检查</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="125"/>
        <source>Model&apos;s answer</source>
        <translation>模型的判断</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="126"/>
        <source>Model round</source>
        <translation>模型轮次</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="126"/>
        <source>Its probability</source>
        <translation>其概率</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="126"/>
        <source>Your label</source>
        <translation>本站标注</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="130"/>
        <source>The model&apos;s estimated probability that the study shows its answer (the classes&apos; probabilities add up to 100%). It is not a diagnosis.</source>
        <translation>模型估计该检查属于其判断类别的概率（各类别概率之和为 100%）。这不是诊断。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="132"/>
        <source>The label this site gave the study or its patient, where there is one.</source>
        <translation>本站为该检查或其患者给出的标注（如有）。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="150"/>
        <source>The model that answers. By default the newest federated model; choose another to pin it, so that training a local-only model never changes it silently.</source>
        <translation>用于推理的模型。默认为最新的联邦模型；选择其他模型即可将其固定，这样训练仅本地模型不会在不知不觉中替换它。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="153"/>
        <source>Export model…</source>
        <translation>导出模型…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="155"/>
        <source>Write the model&apos;s weights and its card (task, rounds, privacy, figures) to a folder.</source>
        <translation>将模型权重及其模型卡（任务、轮次、隐私、指标）写入一个文件夹。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="158"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="161"/>
        <source>Results</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="167"/>
        <source>No prediction yet.</source>
        <translation>尚无预测。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="174"/>
        <source>The class the saliency overlay explains</source>
        <translation>显著性叠加图所解释的类别</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="184"/>
        <source>How strongly the heat map covers the image</source>
        <translation>热力图覆盖图像的强度</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="189"/>
        <source>Heat map</source>
        <translation>热力图</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="193"/>
        <source>Copy path</source>
        <translation>复制路径</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="194"/>
        <source>Copy the DICOM SEG file&apos;s full path</source>
        <translation>复制 DICOM SEG 文件的完整路径</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="203"/>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="371"/>
        <source>Saliency (Grad-CAM) on the model&apos;s input image: warmer = more influence.</source>
        <translation>模型输入图像上的显著性图（Grad-CAM）：颜色越暖，影响越大。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="244"/>
        <source>No model yet</source>
        <translation>尚无模型</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="245"/>
        <source>No trained model yet: join a federation round or train a local-only model first.</source>
        <translation>尚无已训练的模型：请先参与一轮联邦学习或训练一个仅本地模型。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="247"/>
        <source>Default: the newest federated model</source>
        <translation>默认：最新的联邦模型</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="249"/>
        <source>federated</source>
        <translation>联邦</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="250"/>
        <source>local-only</source>
        <translation>仅本地</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="252"/>
        <source>{source}, round {round} · {model} · {when}</source>
        <translation>{source}，第 {round} 轮 · {model} · {when}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="261"/>
        <source>pinned</source>
        <translation>已固定</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="261"/>
        <source>the default choice</source>
        <translation>默认选择</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="262"/>
        <source>the federation&apos;s model after round {round}</source>
        <translation>联邦模型（第 {round} 轮之后）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="263"/>
        <source>this site&apos;s local-only model after round {round}</source>
        <translation>本站仅本地模型（第 {round} 轮之后）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="265"/>
        <source>, this site&apos;s ε then {eps:.2f}</source>
        <translation>，本站当时的 ε 为 {eps:.2f}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="267"/>
        <source>Answering: {what} ({model}, task {task}, saved {when}{epsilon}; {how}).</source>
        <translation>当前使用：{what}（{model}，任务 {task}，保存于 {when}{epsilon}；{how}）。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="277"/>
        <source>choosing the model</source>
        <translation>选择模型</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="281"/>
        <source>Choose a folder for the model and its card</source>
        <translation>选择保存模型及模型卡的文件夹</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="293"/>
        <source>exporting the model</source>
        <translation>导出模型</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="295"/>
        <source>Model and card written to {folder}.</source>
        <translation>模型及模型卡已写入 {folder}。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="308"/>
        <source>Choose the folder of the new scan</source>
        <translation>选择新扫描所在的文件夹</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="318"/>
        <source>Select one or more studies in the list first.</source>
        <translation>请先在列表中选择一个或多个检查。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="323"/>
        <source>finding the studies&apos; files</source>
        <translation>查找检查的文件</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="333"/>
        <source>running the model</source>
        <translation>运行模型</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="359"/>
        <source>Explain: the predicted class</source>
        <translation>解释：预测的类别</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="361"/>
        <source>Explain: {c}</source>
        <translation>解释：{c}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="382"/>
        <source>(no patient ID)</source>
        <translation>（无患者 ID）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="399"/>
        <source>{n} file(s) were skipped, for example: {first}</source>
        <translation>跳过了 {n} 个文件，例如：{first}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="413"/>
        <source>Predicted mask over the model&apos;s input image (the slice with the most of it).</source>
        <translation>模型输入图像上的预测掩膜（显示预测区域最多的切片）。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="439"/>
        <source>{answer} (probability {p:.0%})</source>
        <translation>{answer}（概率 {p:.0%}）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="444"/>
        <source>Your label: {label}.</source>
        <translation>本站标注：{label}。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="445"/>
        <source>This site has no label for this study.</source>
        <translation>本站没有该检查的标注。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="448"/>
        <source>The model&apos;s estimated probability of each class: {every}. {known} The overlay shows what points to {explained}, on image {position} of {total} (the one with the most evidence for it); model round {round}.</source>
        <translation>模型对各类别的估计概率：{every}。{known}叠加图显示指向“{explained}”的区域，绘制在第 {position} / {total} 张图像上（对该类别证据最强的一张）；模型轮次 {round}。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="474"/>
        <source>(no date)</source>
        <translation>（无日期）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="492"/>
        <source>nothing found</source>
        <translation>未发现病灶</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="494"/>
        <source>Written as DICOM SEG, which other viewers open (model round {round}):</source>
        <translation>已写为 DICOM SEG，其他阅片软件可打开（模型轮次 {round}）：</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="506"/>
        <source>Path copied.</source>
        <translation>路径已复制。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="510"/>
        <source>Export predictions</source>
        <translation>导出预测结果</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="510"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="530"/>
        <source>exporting the predictions</source>
        <translation>导出预测结果</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="532"/>
        <source>{n} prediction(s) written to {file}.</source>
        <translation>已将 {n} 条预测写入 {file}。</translation>
    </message>
</context>
<context>
    <name>LabelsPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="59"/>
        <source>Labels</source>
        <translation>标注</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="63"/>
        <source>Label each patient: press the number of a class, 0 to clear, N or Space for the next unlabelled patient. Labels never leave this site.</source>
        <translation>为每位患者标注：按类别对应的数字键，按 0 清除，按 N 或空格跳到下一位未标注的患者。标注永远不会离开本站点。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="77"/>
        <source>Show unlabelled patients only</source>
        <translation>只显示未标注的患者</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="79"/>
        <source>Import labels CSV…</source>
        <translation>导入标注 CSV…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="81"/>
        <source>Export labels CSV…</source>
        <translation>导出标注 CSV…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="83"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="94"/>
        <source>Patient</source>
        <translation>患者</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="94"/>
        <source>Studies</source>
        <translation>检查</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="94"/>
        <source>Images</source>
        <translation>图像数</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="94"/>
        <source>Label</source>
        <translation>标注</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="94"/>
        <source>Split</source>
        <translation>划分</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="95"/>
        <source>Mask</source>
        <translation>掩膜</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="116"/>
        <source>Classes (press the key)</source>
        <translation>类别（按对应按键）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="118"/>
        <source>Class balance</source>
        <translation>类别分布</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="126"/>
        <source>Problems in the labels file</source>
        <translation>标注文件中的问题</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="129"/>
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="129"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="205"/>
        <source>0   clear label</source>
        <translation>0   清除标注</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="207"/>
        <source>N   next unlabelled patient</source>
        <translation>N   下一位未标注患者</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="224"/>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="254"/>
        <source>unlabelled</source>
        <translation>未标注</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="225"/>
        <source>yes</source>
        <translation>有</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="261"/>
        <source>{labelled} of {total} patients labelled ({parts}).</source>
        <translation>{total} 位患者中已标注 {labelled} 位（{parts}）。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="302"/>
        <source>opening the study preview</source>
        <translation>打开检查预览</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="327"/>
        <source>saving the label</source>
        <translation>保存标注</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="348"/>
        <source>Every patient is labelled.</source>
        <translation>所有患者均已标注。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="352"/>
        <source>Import labels</source>
        <translation>导入标注</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="352"/>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="387"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="368"/>
        <source>{n} problem(s) in {file}; no labels were applied. Fix the rows listed on the right and import the file again.</source>
        <translation>{file} 中有 {n} 个问题；未应用任何标注。请修正右侧列出的行后重新导入该文件。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="373"/>
        <source>importing the labels file</source>
        <translation>导入标注文件</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="376"/>
        <source>{patients} patients and {studies} studies labelled from {file}.</source>
        <translation>已根据 {file} 标注 {patients} 位患者和 {studies} 个检查。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="387"/>
        <source>Export labels</source>
        <translation>导出标注</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="395"/>
        <source>exporting the labels</source>
        <translation>导出标注</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="398"/>
        <source>{n} labels written to {file}. The file holds real patient IDs: keep it on this site.</source>
        <translation>已将 {n} 条标注写入 {file}。该文件包含真实的患者 ID：请勿带出本站点。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="67"/>
        <source>MedFed Site</source>
        <extracomment>The page a data folder without studies opens on, when no page was saved. Asks the app to rebuild the window in another language (Settings changed it).</extracomment>
        <translation>MedFed 站点端</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="143"/>
        <source>Data folder: {folder}   Device: {device}</source>
        <translation>数据文件夹：{folder}   设备：{device}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="153"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="154"/>
        <source>&amp;Import studies…</source>
        <translation>导入检查(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="159"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="164"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="172"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="173"/>
        <source>Open &amp;log folder</source>
        <translation>打开日志文件夹(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="176"/>
        <source>&amp;Getting started</source>
        <translation>入门(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="179"/>
        <source>&amp;About MedFed</source>
        <translation>关于 MedFed(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="197"/>
        <source>Not enrolled in a federation yet.</source>
        <translation>尚未加入联邦。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="199"/>
        <source>Federation: {federation} (site {site})</source>
        <translation>联邦：{federation}（站点 {site}）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="203"/>
        <source>&lt;h3&gt;MedFed Site {version}&lt;/h3&gt;&lt;p&gt;Train one medical-imaging model with other hospitals without any image, label or patient record leaving this workstation.&lt;/p&gt;&lt;p&gt;{federation}&lt;/p&gt;&lt;p&gt;Data folder: {folder}&lt;br&gt;Log file: {log}&lt;br&gt;Python {python}, Qt {qt}&lt;/p&gt;</source>
        <translation>&lt;h3&gt;MedFed 站点 {version}&lt;/h3&gt;&lt;p&gt;与其他医院共同训练一个医学影像模型，任何图像、标签或患者记录都不会离开这台工作站。&lt;/p&gt;&lt;p&gt;{federation}&lt;/p&gt;&lt;p&gt;数据文件夹：{folder}&lt;br&gt;日志文件：{log}&lt;br&gt;Python {python}，Qt {qt}&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="218"/>
        <source>About MedFed</source>
        <translation>关于 MedFed</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="247"/>
        <source>The new language is used from the next start of the app: work is running now.</source>
        <translation>新语言将在下次启动程序时生效：当前有任务正在运行。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="263"/>
        <source>Quit while work is running?</source>
        <translation>仍有任务在运行，确定退出吗？</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="264"/>
        <source>Stop and quit</source>
        <translation>停止并退出</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="264"/>
        <source>Keep working</source>
        <translation>继续工作</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/app.py" line="79"/>
        <source>handling your last action</source>
        <translation>处理您上一步操作</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/app.py" line="80"/>
        <source>MedFed</source>
        <translation>MedFed</translation>
    </message>
</context>
<context>
    <name>MaskTools</name>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="43"/>
        <source>Show mask</source>
        <translation>显示掩膜</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="45"/>
        <source>Show or hide the mask over the image (key M)</source>
        <translation>在图像上显示或隐藏掩膜（M 键）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="50"/>
        <source>The segment the brush draws; type a name for a new one</source>
        <translation>画笔绘制的分割区域；输入名称可新建一个</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="52"/>
        <source>Draw</source>
        <translation>绘制</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="53"/>
        <source>Paint the segment with the left mouse button (key D)</source>
        <translation>用鼠标左键绘制分割区域（D 键）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="55"/>
        <source>Erase</source>
        <translation>擦除</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="56"/>
        <source>Erase the mask with the left mouse button (key E)</source>
        <translation>用鼠标左键擦除掩膜（E 键）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="63"/>
        <source> px</source>
        <translation> 像素</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="64"/>
        <source>Brush radius in image pixels</source>
        <translation>画笔半径（图像像素）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="66"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="67"/>
        <source>Take back the last stroke (Ctrl+Z)</source>
        <translation>撤销上一笔（Ctrl+Z）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="69"/>
        <source>Save mask</source>
        <translation>保存掩膜</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="70"/>
        <source>Store the mask as this site&apos;s DICOM SEG of the series</source>
        <translation>将掩膜保存为本站点该序列的 DICOM SEG</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="78"/>
        <source>Segment</source>
        <translation>分割区域</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="82"/>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
</context>
<context>
    <name>NoticeBar</name>
    <message>
        <location filename="../../siteapp/ui/widgets/notice_bar.py" line="39"/>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>Page</name>
    <message>
        <location filename="../../siteapp/ui/pages/base.py" line="72"/>
        <source>loading this page</source>
        <translation>加载此页面</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/base.py" line="84"/>
        <source>reading the study index</source>
        <translation>读取检查索引</translation>
    </message>
</context>
<context>
    <name>PrivacyPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="68"/>
        <source>cap {cap:g}</source>
        <translation>上限 {cap:g}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="78"/>
        <source>Privacy</source>
        <translation>隐私</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="82"/>
        <source>How much privacy budget this site has spent on training, for every patient, counted over all rounds and restarts. Training stops before the cap is passed.</source>
        <translation>本站点在训练中为每位患者消耗了多少隐私预算，统计涵盖所有轮次和每次重启。训练会在超过上限之前停止。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="91"/>
        <source>Privacy budget used</source>
        <translation>已用隐私预算</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="103"/>
        <source>Rounds still to join</source>
        <translation>尚待参与的轮数</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="111"/>
        <source>What this means for one patient</source>
        <translation>这对单个患者意味着什么</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="118"/>
        <source>Epsilon per round</source>
        <translation>每轮的 ε</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="120"/>
        <source>ε</source>
        <translation>ε</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="120"/>
        <source>ledger entry (round)</source>
        <translation>账本条目（轮次）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="125"/>
        <source>This site&apos;s cap (privacy officer)</source>
        <translation>本站点的上限（隐私负责人）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="132"/>
        <source>automatic: 1e-5, or 1 / (10 × patients) if smaller</source>
        <translation>自动：1e-5；若 1 / (10 × 患者数) 更小则取后者</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="133"/>
        <source>Save cap</source>
        <translation>保存上限</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="135"/>
        <source>Epsilon cap</source>
        <translation>ε 上限</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="136"/>
        <source>Delta</source>
        <translation>δ</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="141"/>
        <source>Round</source>
        <translation>轮次</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="141"/>
        <source>Context</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="141"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="141"/>
        <source>Noise</source>
        <translation>噪声</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="142"/>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="142"/>
        <source>Patients</source>
        <translation>患者数</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="142"/>
        <source>ε after</source>
        <translation>之后的 ε</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="149"/>
        <source>Privacy ledger (every round, recorded before training)</source>
        <translation>隐私账本（每一轮，在训练前记录）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="168"/>
        <source>From the federation plan: rounds this site has not taken part in yet.</source>
        <translation>来自联邦计划：本站点尚未参与的轮数。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="171"/>
        <source>ε = {spent:.2f} of {cap:g}  ({percent:.0f}% of the cap), δ = {delta:.1e}</source>
        <translation>ε = {spent:.2f} / {cap:g}（上限的 {percent:.0f}%），δ = {delta:.1e}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="176"/>
        <source>(nominal)</source>
        <translation>（名义值）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="180"/>
        <source>No rounds are left to join, so nothing more will be spent.</source>
        <translation>已没有待参与的轮次，不会再消耗预算。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="183"/>
        <source>No training has been recorded yet, so there is nothing to project from.</source>
        <translation>尚无训练记录，因此无法进行预测。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="187"/>
        <source>If this site joins {rounds} more round(s) like the last one, its total will be ε = {projected:.2f}.</source>
        <translation>如果本站点再参与 {rounds} 轮与上一轮相同的训练，总计将达到 ε = {projected:.2f}。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="191"/>
        <source>That passes the cap: the app will refuse the round that would cross it.</source>
        <translation>这将超过上限：程序会拒绝参与会导致超限的那一轮。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="200"/>
        <source>Some rounds drew their privacy randomness from a fixed seed (a test or demo option): whoever knows the seed can undo their noise, so the ε shown is nominal, not a guarantee.</source>
        <translation>部分轮次的隐私随机数来自固定种子（测试或演示选项）：知道种子的人可以去除其噪声，因此显示的 ε 只是名义值，并非保证。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="204"/>
        <source>The cap is reached: this site will not train again unless the privacy officer raises it.</source>
        <translation>已达到上限：除非隐私负责人提高上限，本站点不会再进行训练。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="206"/>
        <source>More than 80% of the privacy cap is spent.</source>
        <translation>隐私上限已使用超过 80%。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="211"/>
        <source>&lt;p&gt;Differential privacy limits what anyone can learn about &lt;b&gt;one patient&lt;/b&gt; from the model, even someone who knows every other patient.&lt;/p&gt;&lt;p&gt;&lt;b&gt;ε = {eps:.2f}&lt;/b&gt;: whatever the model is used for, including that patient&apos;s images can make any conclusion about them at most &lt;b&gt;{factor:.1f}×&lt;/b&gt; more (or less) likely than if their images had never been used. Smaller is more private; 0 would mean no influence at all.&lt;/p&gt;&lt;p&gt;&lt;b&gt;δ = {delta:.1e}&lt;/b&gt;: the small chance (about 1 in {one_in:,.0f}) that this guarantee does not hold for a given patient.&lt;/p&gt;&lt;p&gt;The count covers every round since this site started, across restarts.&lt;/p&gt;&lt;p&gt;Validation patients have their own line: the noised validation figures sent to the coordinator have cost them ε = {validation:.2f} so far. A patient is either a training or a validation patient, so the site&apos;s ε is the larger of the two lines.&lt;/p&gt;</source>
        <translation>&lt;p&gt;差分隐私限制了任何人能从模型中获知的关于&lt;b&gt;单个患者&lt;/b&gt;的信息，即使对方了解其他所有患者。&lt;/p&gt;&lt;p&gt;&lt;b&gt;ε = {eps:.2f}&lt;/b&gt;：无论模型被如何使用，纳入该患者的影像后，对其得出任何结论的可能性，与从未使用其影像相比，最多变为 &lt;b&gt;{factor:.1f} 倍&lt;/b&gt;（或其倒数）。数值越小越保护隐私；0 表示完全没有影响。&lt;/p&gt;&lt;p&gt;&lt;b&gt;δ = {delta:.1e}&lt;/b&gt;：对某位患者而言，该保证不成立的微小概率（约为 {one_in:,.0f} 分之一）。&lt;/p&gt;&lt;p&gt;统计涵盖本站点启动以来的每一轮，包括每次重启。&lt;/p&gt;&lt;p&gt;验证患者有自己的一行：迄今发送给协调方的加噪验证结果使他们花费了 ε = {validation:.2f}。每位患者要么是训练患者，要么是验证患者，因此本站的 ε 取两行中较大的一个。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="232"/>
        <source>total ε</source>
        <translation>累计 ε</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="233"/>
        <source>added by the round</source>
        <translation>本轮增加</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="234"/>
        <source>cap</source>
        <translation>上限</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="242"/>
        <source>(validation report)</source>
        <translation>（验证报告）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="244"/>
        <source>[seeded: nominal]</source>
        <translation>[固定种子：名义值]</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="255"/>
        <source>Delta must be a number such as 1e-5, or empty for automatic.</source>
        <translation>δ 必须是数字（例如 1e-5），或留空表示自动。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="260"/>
        <source>saving the privacy cap</source>
        <translation>保存隐私上限</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="264"/>
        <source>The privacy cap is now ε = {cap:g}.</source>
        <translation>隐私上限现为 ε = {cap:g}。</translation>
    </message>
</context>
<context>
    <name>QualityPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="59"/>
        <source>Model quality</source>
        <translation>模型质量</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="63"/>
        <source>How well the model recognises the condition on this site&apos;s own held-out patients (never used for training), round by round.</source>
        <translation>逐轮显示模型在本站点留出患者（从未用于训练）上识别该病变的效果。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="81"/>
        <source>AUC (1.0 = perfect ranking)</source>
        <translation>AUC（1.0 = 完美排序）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="82"/>
        <source>Sensitivity (positives found)</source>
        <translation>灵敏度（检出的阳性）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="83"/>
        <source>Specificity (negatives cleared)</source>
        <translation>特异度（排除的阴性）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="84"/>
        <source>Dice (overlap of predicted and drawn outlines, 1.0 = exact)</source>
        <translation>Dice（预测轮廓与勾画轮廓的重叠，1.0 = 完全一致）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="86"/>
        <source>AUC</source>
        <translation>AUC</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="86"/>
        <source>sensitivity</source>
        <translation>灵敏度</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="87"/>
        <source>specificity</source>
        <translation>特异度</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="87"/>
        <source>Dice</source>
        <translation>Dice</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="92"/>
        <source>round</source>
        <translation>轮次</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="100"/>
        <source>Confusion matrix (latest model, held-out patients)</source>
        <translation>混淆矩阵（最新模型，留出患者）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="118"/>
        <source>Local-only model (baseline)</source>
        <translation>仅本地模型（基线）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="121"/>
        <source>Trains on this site&apos;s labelled patients only, with the same privacy protection. It spends privacy budget like a federation round.</source>
        <translation>仅使用本站点已标注的患者训练，采用相同的隐私保护。它与联邦轮次一样会消耗隐私预算。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="129"/>
        <source>Train local-only model</source>
        <translation>训练仅本地模型</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="132"/>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="317"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="135"/>
        <source>Rounds</source>
        <translation>轮数</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="159"/>
        <source>reading the model metrics</source>
        <translation>读取模型指标</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="170"/>
        <source>federated (global) model</source>
        <translation>联邦（全局）模型</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="172"/>
        <source>local-only model</source>
        <translation>仅本地模型</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="179"/>
        <source>No model has been trained at this site yet. Join a federation round, or train a local-only model below.</source>
        <translation>本站点尚未训练任何模型。请参与一轮联邦学习，或在下方训练一个仅本地模型。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="187"/>
        <source>{region}: Dice {dice}</source>
        <translation>{region}：Dice {dice}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="191"/>
        <source>Latest model: {source} round {round} — Dice {dice}, Hausdorff distance (95 %) {hd95} mm on {count} held-out patients.</source>
        <translation>最新模型：{source} 第 {round} 轮 — 在 {count} 名留出患者上 Dice {dice}，豪斯多夫距离（95%）{hd95} 毫米。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="203"/>
        <source>Latest model: {source} round {round} — AUC {auc}, sensitivity {sens}, specificity {spec} on {count} held-out patients.</source>
        <translation>最新模型：{source} 第 {round} 轮 — 在 {count} 位留出患者上的 AUC {auc}，灵敏度 {sens}，特异度 {spec}。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="193"/>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="206"/>
        <source>federated</source>
        <translation>联邦</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="193"/>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="206"/>
        <source>local-only</source>
        <translation>仅本地</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="214"/>
        <source>In brackets: the 95% confidence interval; a small validation set gives a wide one.</source>
        <translation>括号内为 95% 置信区间；验证集越小，区间越宽。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="225"/>
        <source>Decision threshold: a patient is called {positive} when the model&apos;s probability of {positive} is at least {t:.2f}.</source>
        <translation>决策阈值：当模型给出的“{positive}”概率不低于 {t:.2f} 时，判定该患者为“{positive}”。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="228"/>
        <source>Decision rule: a patient is called the class with the highest probability.</source>
        <translation>决策规则：判定患者属于概率最高的类别。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="238"/>
        <source>predicted {c}</source>
        <translation>预测为 {c}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="239"/>
        <source>truly {c}</source>
        <translation>实际为 {c}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="252"/>
        <source>Rows: the true class from your labels. Columns: what the model said. Green cells are correct; red cells are mistakes (a finding missed, a false alarm, or one finding taken for another).</source>
        <translation>行：您标注的真实类别。列：模型的判断。绿色单元格为正确；红色单元格为错误（漏诊、误报，或将一种发现误判为另一种）。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="261"/>
        <source>Local-only training is running. Quitting stops it after the current step: the round in progress stays counted in this site&apos;s privacy budget (it was recorded before training began) and its model is not saved. It does not resume by itself; train again from Model quality when you are ready.</source>
        <translation>仅本地训练正在运行。退出会在当前步骤后停止：进行中的这一轮仍计入本站点的隐私预算（训练开始前已记录），其模型不会保存。训练不会自动恢复；准备好后请在“模型质量”中重新训练。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="282"/>
        <source>working out the privacy cost</source>
        <translation>计算隐私成本</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="288"/>
        <source>Working out what this run costs in privacy…</source>
        <translation>正在计算本次训练的隐私成本…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="309"/>
        <source>Spend privacy budget?</source>
        <translation>花费隐私预算？</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="317"/>
        <source>Train and spend</source>
        <translation>训练并花费</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="406"/>
        <source>{name}: AUC {auc}, sensitivity {sens}, specificity {spec} ({n} patients)</source>
        <translation>{name}：AUC {auc}，灵敏度 {sens}，特异度 {spec}（{n} 名患者）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="305"/>
        <source>Not trained: no privacy budget was spent.</source>
        <translation>未训练：没有花费隐私预算。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="311"/>
        <source>Training {rounds} local-only round(s) spends privacy budget: this site&apos;s ε goes from {before:.2f} to {after:.2f} of its cap of {cap:g} (δ {delta:.1e}). Spent budget cannot be won back. Budget left after this run can still be used for federation rounds.</source>
        <translation>训练 {rounds} 轮仅本地模型会花费隐私预算：本站点的 ε 将从 {before:.2f} 增至 {after:.2f}（上限 {cap:g}，δ {delta:.1e}）。已花费的预算无法收回。本次训练后剩余的预算仍可用于联邦训练轮次。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="331"/>
        <source>training the local-only model</source>
        <translation>训练仅本地模型</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="341"/>
        <source>Preparing images and checking the privacy budget…</source>
        <translation>正在准备图像并检查隐私预算…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="342"/>
        <source>Training…</source>
        <translation>训练中…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="349"/>
        <source>Stopping after the current step…</source>
        <translation>将在当前步骤完成后停止…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="354"/>
        <source>Training: step {done} of {total}</source>
        <translation>训练：第 {done} / {total} 步</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="362"/>
        <source>Done: {rounds} round(s) on {device}; this site&apos;s ε is now {eps:.2f}.</source>
        <translation>完成：在 {device} 上训练了 {rounds} 轮；本站点的 ε 现为 {eps:.2f}。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="366"/>
        <source>The local-only model is trained.</source>
        <translation>仅本地模型已训练完成。</translation>
    </message>
</context>
<context>
    <name>QueryPacsDialog</name>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="56"/>
        <source>Query PACS</source>
        <translation>查询 PACS</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="65"/>
        <source>PACS node</source>
        <translation>PACS 节点</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="68"/>
        <source>DOE^JOHN, or DOE* for all names starting with DOE</source>
        <translation>DOE^JOHN，或用 DOE* 查找所有以 DOE 开头的姓名</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="69"/>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="106"/>
        <source>Patient ID</source>
        <translation>患者 ID</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="70"/>
        <source>Patient name</source>
        <translation>患者姓名</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="72"/>
        <source>Study date from</source>
        <translation>检查日期从</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="83"/>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="86"/>
        <source>Dates</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="89"/>
        <source>Any</source>
        <translation>任意</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="91"/>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="106"/>
        <source>Modality</source>
        <translation>模态</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="92"/>
        <source>Accession number</source>
        <translation>检查号</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="96"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="106"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="106"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="107"/>
        <source>Accession</source>
        <translation>检查号</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="107"/>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="107"/>
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="124"/>
        <source>Retrieve selected studies</source>
        <translation>获取所选检查</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="126"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="128"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="142"/>
        <source>reading the DICOM network settings</source>
        <translation>读取 DICOM 网络设置</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="148"/>
        <source>No PACS node is configured yet: add one in Settings &gt; DICOM network.</source>
        <translation>尚未配置 PACS 节点：请在“设置 &gt; DICOM 网络”中添加。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="185"/>
        <source>Searching {node}…</source>
        <translation>正在搜索 {node}…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="186"/>
        <source>querying {node}</source>
        <translation>查询 {node}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="200"/>
        <source>{n} studies found. Select the ones to retrieve.</source>
        <translation>找到 {n} 个检查。请选择要获取的检查。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="219"/>
        <source>Retrieving {n} studies from {node}…</source>
        <translation>正在从 {node} 获取 {n} 个检查…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="221"/>
        <source>retrieving studies from {node}</source>
        <translation>从 {node} 获取检查</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="251"/>
        <source>Cancelling; what has arrived is kept…</source>
        <translation>正在取消；已收到的数据会保留…</translation>
    </message>
</context>
<context>
    <name>ResultsExportDialog</name>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="50"/>
        <source>Export results as DICOM</source>
        <translation>将结果导出为 DICOM</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="54"/>
        <source>For each of the {n} studies: a Structured Report (predicted class, probability, model {model}, round {round}) and the saliency map as a Secondary Capture image, both filed in the patient&apos;s study.</source>
        <translation>对这 {n} 个检查中的每一个：生成一份结构化报告（预测类别、概率、模型 {model}、第 {round} 轮）以及作为二次捕获图像的显著性图，二者都归入患者的该检查中。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="64"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="68"/>
        <source>Write to folder</source>
        <translation>写入文件夹</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="70"/>
        <source>Also send to</source>
        <translation>同时发送到</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="74"/>
        <source>PACS</source>
        <translation>PACS</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="86"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="89"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="92"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="103"/>
        <source>{patient}: {predicted} (probability {p:.0%})</source>
        <translation>{patient}：{predicted}（概率 {p:.0%}）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="111"/>
        <source>Structured Report + saliency image</source>
        <translation>结构化报告 + 显著性图像</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="117"/>
        <source>reading the DICOM network settings</source>
        <translation>读取 DICOM 网络设置</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="125"/>
        <source>no PACS node configured (Settings &gt; DICOM network)</source>
        <translation>未配置 PACS 节点（设置 &gt; DICOM 网络）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="128"/>
        <source>Choose a folder for the DICOM results</source>
        <translation>选择存放 DICOM 结果的文件夹</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="146"/>
        <source>exporting the results as DICOM</source>
        <translation>将结果导出为 DICOM</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="156"/>
        <source>Writing…</source>
        <translation>正在写入…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="171"/>
        <source>Structured Report</source>
        <translation>结构化报告</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="172"/>
        <source>saliency image (Secondary Capture)</source>
        <translation>显著性图像（二次捕获）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="173"/>
        <source>written, sent</source>
        <translation>已写入，已发送</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="173"/>
        <source>written</source>
        <translation>已写入</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="179"/>
        <source>{n} DICOM objects written to {folder}.</source>
        <translation>已将 {n} 个 DICOM 对象写入 {folder}。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="182"/>
        <source>Sent {sent} to {node}; {failed} refused.</source>
        <translation>已向 {node} 发送 {sent} 个；{failed} 个被拒绝。</translation>
    </message>
</context>
<context>
    <name>RoundTimeline</name>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="70"/>
        <source>Waiting</source>
        <translation>等待</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="70"/>
        <source>Sharing keys</source>
        <translation>交换密钥</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="71"/>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="71"/>
        <source>Encrypting</source>
        <translation>加密</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="72"/>
        <source>Uploading</source>
        <translation>上传</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="73"/>
        <source>Waiting for others</source>
        <translation>等待其他站点</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="74"/>
        <source>Aggregated</source>
        <translation>已聚合</translation>
    </message>
</context>
<context>
    <name>RunnerWords</name>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="23"/>
        <source>{why}. Gave up after {seconds:.0f} s; this site&apos;s progress is saved, run join again to resume</source>
        <translation>{why}。已在 {seconds:.0f} 秒后放弃；本站点的进度已保存，再次点击“加入”即可继续</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="28"/>
        <source>packing the update (plaintext over TLS)</source>
        <translation>正在打包模型更新（经 TLS 明文传输）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="29"/>
        <source>encrypting the update (CKKS)</source>
        <translation>正在加密模型更新（CKKS）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="30"/>
        <source>masking the update (secure sum)</source>
        <translation>正在为模型更新加掩码（安全求和）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="31"/>
        <source>the task windows images with the federation&apos;s statistics: taking part in the statistics round first (its cost goes to the ledger)</source>
        <translation>该任务使用联邦统计结果对图像开窗：先参加统计轮（其隐私成本计入账本）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="36"/>
        <source>secure median: masked sum {n} of {of}, agreeing pairwise masks with the other sites</source>
        <translation>安全中位数：第 {n} 次掩码求和（共 {of} 次），正在与其他站点协商成对掩码</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="41"/>
        <source>round {n} went on without this site: {why}</source>
        <translation>第 {n} 轮在没有本站点的情况下继续进行：{why}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="42"/>
        <source>training with differential privacy</source>
        <translation>正在以差分隐私训练</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="43"/>
        <source>training the synthetic-image generator with differential privacy</source>
        <translation>正在以差分隐私训练合成图像生成器</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="44"/>
        <source>uploading {size} bytes</source>
        <translation>正在上传 {size} 字节</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="45"/>
        <source>waiting for the other sites&apos; updates</source>
        <translation>正在等待其他站点的更新</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="46"/>
        <source>round {n} aggregated; validation {metric} {value}</source>
        <translation>第 {n} 轮已聚合；验证 {metric} {value}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="47"/>
        <source>waiting for the other sites ({step} step)</source>
        <translation>正在等待其他站点（{step} 步骤）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="48"/>
        <source>waiting for the other sites ({step} step of secure sum {n})</source>
        <translation>正在等待其他站点（第 {n} 次安全求和的 {step} 步骤）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="49"/>
        <source>training step {step} of {total}</source>
        <translation>训练第 {step} 步，共 {total} 步</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="50"/>
        <source>uploading {size} bytes (secure sum {n})</source>
        <translation>正在上传 {size} 字节（第 {n} 次安全求和）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="51"/>
        <source>waiting for the next round</source>
        <translation>正在等待下一轮</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="52"/>
        <source>waiting for the federation&apos;s encryption key</source>
        <translation>正在等待联盟的加密密钥</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="53"/>
        <source>every site holds the federation&apos;s encryption key (generation {generation})</source>
        <translation>每个站点都已持有联盟的加密密钥（第 {generation} 代）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="54"/>
        <source>waiting for site {holder} to make the federation&apos;s encryption key (generation {generation})</source>
        <translation>正在等待站点 {holder} 生成联盟的加密密钥（第 {generation} 代）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="58"/>
        <source>waiting for site {holder} to hand the encryption key to {sites}; rounds start once every site holds it</source>
        <translation>正在等待站点 {holder} 将加密密钥交给 {sites}；每个站点都持有密钥后轮次才会开始</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="63"/>
        <source>confirming who took part</source>
        <translation>正在确认参与的站点</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="64"/>
        <source>helping remove the masks</source>
        <translation>正在协助去除掩码</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="65"/>
        <source>validation figures not reported: {why}</source>
        <translation>未报告验证结果：{why}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="66"/>
        <source>agreeing pairwise masks with the other sites</source>
        <translation>正在与其他站点协商成对掩码</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="67"/>
        <source>statistics: {what}</source>
        <translation>统计：{what}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="68"/>
        <source>no answer yet</source>
        <translation>尚无应答</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="69"/>
        <source>{why}. Tried {tries} time(s) over {seconds:.0f} s; nothing was lost: ask the federation operator whether the coordinator is running, check the address, and try again</source>
        <translation>{why}。已在 {seconds:.0f} 秒内尝试 {tries} 次；没有任何数据丢失：请询问联邦运营方协调服务器是否在运行，检查地址后重试</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="75"/>
        <source>HTTP {status}: {text}</source>
        <translation>HTTP {status}：{text}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="76"/>
        <source>{problem}</source>
        <translation>{problem}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="77"/>
        <source>{why}; retrying</source>
        <translation>{why}；正在重试</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="78"/>
        <source>{problem}; nothing was sent to the coordinator</source>
        <translation>{problem}；没有向协调服务器发送任何内容</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="79"/>
        <source>the connection to {where} failed ({error})</source>
        <translation>与 {where} 的连接失败（{error}）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="80"/>
        <source>a secure connection to {where} could not be set up ({error}); check the coordinator address and that the kit is this federation&apos;s</source>
        <translation>无法与 {where} 建立安全连接（{error}）；请检查协调服务器地址，并确认注册包属于本联邦</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="85"/>
        <source>nothing answers at {where} (connection refused): the coordinator is not running there, or the address is wrong</source>
        <translation>{where} 无应答（连接被拒绝）：协调服务器未在该处运行，或地址有误</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="90"/>
        <source>the name in {where} cannot be found (DNS): check the coordinator address and this workstation&apos;s network</source>
        <translation>无法解析 {where} 中的名称（DNS）：请检查协调服务器地址和本工作站的网络</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="95"/>
        <source>{where} did not answer in time: the network, a firewall or the coordinator is slow or blocking the connection</source>
        <translation>{where} 未及时应答：网络、防火墙或协调服务器过慢或阻止了连接</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="100"/>
        <source>the connection to {where} was cut off</source>
        <translation>与 {where} 的连接被中断</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="101"/>
        <source>the server at {where} could not prove it is this federation&apos;s coordinator (its certificate is not signed by the federation&apos;s authority in this site&apos;s kit, or is for another name). Retrying cannot fix this: check the coordinator address, or ask the federation operator whether the coordinator&apos;s certificate changed and import the new enrolment kit they give you</source>
        <translation>{where} 处的服务器无法证明自己是本联邦的协调服务器（其证书未由本站点注册包中的联邦证书机构签发，或签发给了其他名称）。重试无法解决：请检查协调服务器地址，或询问联邦运营方协调服务器的证书是否已更换，并导入其提供的新注册包</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="110"/>
        <source>the coordinator at {where} refused this site&apos;s certificate: it was revoked. Ask the federation operator for a new enrolment kit</source>
        <translation>{where} 处的协调服务器拒绝了本站点的证书：该证书已被吊销。请向联邦运营方索取新的注册包</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="115"/>
        <source>a certificate expired (this site&apos;s or the coordinator&apos;s at {where}); ask the federation operator for a renewed kit</source>
        <translation>有证书已过期（本站点的或 {where} 处协调服务器的）；请向联邦运营方索取续期的注册包</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="120"/>
        <source>the coordinator at {where} refused this site&apos;s certificate (it does not know it, or it was revoked): check that the kit is this federation&apos;s, or ask the federation operator for a new one</source>
        <translation>{where} 处的协调服务器拒绝了本站点的证书（不认识该证书，或已被吊销）：请确认注册包属于本联邦，或向联邦运营方索取新的注册包</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="127"/>
        <source>initial model weights (seed-initialised)</source>
        <translation>初始模型权重（由种子初始化）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="128"/>
        <source>nothing (download)</source>
        <translation>无（下载）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="129"/>
        <source>model update</source>
        <translation>模型更新</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="130"/>
        <source>validation histogram of the global model (Gaussian-noised at the site)</source>
        <translation>全局模型的验证直方图（已在本站点加入高斯噪声）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="134"/>
        <source>secure-aggregation {step} message (keys/shares, no model data)</source>
        <translation>安全聚合 {step} 消息（密钥/份额，不含模型数据）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="135"/>
        <source>request for the federation&apos;s encryption key (this site&apos;s certificate, public)</source>
        <translation>请求联邦的加密密钥（本站点的证书，公开信息）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="139"/>
        <source>CKKS public context (encryption parameters, no key)</source>
        <translation>CKKS 公开上下文（加密参数，不含密钥）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="140"/>
        <source>the federation&apos;s CKKS key sealed to site {recipient} (only it can open it)</source>
        <translation>为站点 {recipient} 密封的联邦 CKKS 密钥（只有该站点能打开）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="144"/>
        <source>nothing (a request for the plan, the round state or a message)</source>
        <translation>无（请求计划、轮次状态或消息）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="145"/>
        <source>an empty body</source>
        <translation>空的请求体</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="146"/>
        <source>CKKS-encrypted model update ({size} values x patients, and the patient count)</source>
        <translation>CKKS 加密的模型更新（{size} 个数值 × 患者数，以及患者数）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="150"/>
        <source>masked model update ({size} quantised values x patients, and the patient count)</source>
        <translation>加掩码的模型更新（{size} 个量化数值 × 患者数，以及患者数）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="154"/>
        <source>plaintext model update ({size} float32 values) and the number of training patients</source>
        <translation>明文模型更新（{size} 个 float32 数值）以及训练患者数</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="158"/>
        <source>masked counts of probe {probe} of {probes} (per parameter, 1 if this site&apos;s update is at or below the public threshold; only their sum across sites is unmasked)</source>
        <translation>第 {probe} 个问题（共 {probes} 个）的加掩码计数（每个参数一个：本站点的更新小于或等于公布的阈值时为 1；只有各站点计数之和会被解除掩码）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="164"/>
        <source>masked model update clipped to the federation&apos;s quantiles ({size} quantised values x patients, and the patient count)</source>
        <translation>限制在联邦分位数范围内并加掩码的模型更新（{size} 个量化数值 × 患者数，以及患者数）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="169"/>
        <source>federation statistics: intensity histograms and class counts (Gaussian-noised, masked)</source>
        <translation>联邦统计：强度直方图和各类别计数（已加高斯噪声并加掩码）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="173"/>
        <source>{kind} {instance} in study {study}, with the study&apos;s patient and study attributes ({series})</source>
        <translation>检查 {study} 中的 {kind} {instance}，附带该检查的患者和检查属性（{series}）</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="62"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="65"/>
        <source>Where this site keeps its data, where training runs, and which coordinator it joins.</source>
        <translation>本站点的数据存放位置、训练运行的设备，以及加入的协调服务器。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="69"/>
        <source>This workstation</source>
        <translation>本工作站</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="72"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="77"/>
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="84"/>
        <source>Training device</source>
        <translation>训练设备</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="89"/>
        <source>Coordinator address</source>
        <translation>协调服务器地址</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="96"/>
        <source>HTTPS proxy</source>
        <translation>HTTPS 代理</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="98"/>
        <source>Only if the hospital&apos;s network reaches the internet through a proxy. Empty: the system&apos;s HTTPS_PROXY and NO_PROXY. The coordinator is still checked against the kit.</source>
        <translation>仅当医院网络通过代理访问互联网时填写。留空则使用系统的 HTTPS_PROXY 和 NO_PROXY。协调服务器仍按注册包中的证书校验。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="108"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="109"/>
        <source>Saving switches the whole window to the new language.</source>
        <translation>保存后整个窗口会立即切换到新语言。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="120"/>
        <source>Revert</source>
        <translation>还原</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="122"/>
        <source>Save settings</source>
        <translation>保存设置</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="133"/>
        <source>Automatic (GPU if present)</source>
        <translation>自动（如有 GPU 则使用）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="134"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="135"/>
        <source>NVIDIA GPU (CUDA)</source>
        <translation>NVIDIA GPU（CUDA）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="136"/>
        <source>Apple GPU (MPS)</source>
        <translation>Apple GPU（MPS）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="152"/>
        <source>Set by the enrolment kit of federation {federation}; import a new kit to change it.</source>
        <translation>由联邦 {federation} 的注册包设定；如需更改，请导入新的注册包。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="160"/>
        <source>Checking this computer&apos;s GPU…</source>
        <translation>正在检查本机的 GPU…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="161"/>
        <source>checking the training device</source>
        <translation>检查训练设备</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="164"/>
        <source>On this computer, automatic means: {device}</source>
        <translation>在本机上，“自动”表示：{device}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="172"/>
        <source>Choose the site&apos;s data folder</source>
        <translation>选择站点的数据文件夹</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="182"/>
        <source>The coordinator address is not valid: {problem}.</source>
        <translation>协调服务器地址无效：{problem}。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="187"/>
        <source>The HTTPS proxy address is not valid: {problem}.</source>
        <translation>HTTPS 代理地址无效：{problem}。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="196"/>
        <source>checking the data folder</source>
        <translation>检查数据文件夹</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="206"/>
        <source>Settings saved.</source>
        <translation>设置已保存。</translation>
    </message>
</context>
<context>
    <name>SitePolicySection</name>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="36"/>
        <source>Site policy</source>
        <translation>站点策略</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="40"/>
        <source>For the privacy officer: a coordinator&apos;s plan that asks for more than this is refused before anything is trained. The privacy cap is on the Privacy page.</source>
        <translation>供隐私官设置：协调方的计划若要求超出以下限制，将在任何训练开始前被拒绝。隐私上限在“隐私”页面设置。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="47"/>
        <source>Report validation figures after each round (a histogram with random noise, paid from the validation patients&apos; privacy budget)</source>
        <translation>每轮结束后报告验证结果（加入随机噪声的直方图，消耗验证患者的隐私预算）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="51"/>
        <source>Largest learning rate</source>
        <translation>最大学习率</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="53"/>
        <source>Most epochs per round</source>
        <translation>每轮最多训练轮数（epoch）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="55"/>
        <source>Largest batch (patients)</source>
        <translation>最大批量（患者数）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="57"/>
        <source>Largest per-patient clipping norm</source>
        <translation>每位患者的最大裁剪范数</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="59"/>
        <source>Fewest training patients to take part</source>
        <translation>参与所需的最少训练患者数</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="62"/>
        <source>Save site policy</source>
        <translation>保存站点策略</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="107"/>
        <source>saving the site policy</source>
        <translation>保存站点策略</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="109"/>
        <source>Site policy saved; the next plan is checked against it.</source>
        <translation>站点策略已保存；下一个计划将按此检查。</translation>
    </message>
</context>
<context>
    <name>StatisticsPanel</name>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="45"/>
        <source>Intensities: this site and the federation</source>
        <translation>强度：本站点与联邦</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="55"/>
        <source>Take part in the statistics…</source>
        <translation>参与统计…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="57"/>
        <source>Send this site&apos;s intensity histograms and patients per class, with Gaussian noise and masked, so the federation can window every scanner model alike. Costs privacy budget.</source>
        <translation>发送本站点的强度直方图和各类别患者数（加入高斯噪声并经过掩码），使联邦能以相同方式为每种扫描仪型号设置窗口。会消耗隐私预算。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="60"/>
        <source>Scanner</source>
        <translation>扫描仪</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="63"/>
        <source>Intensity (modality units)</source>
        <translation>强度（模态单位）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="97"/>
        <source>No statistics yet. Take part in the federation&apos;s statistics round to compare this site&apos;s intensities with the federation&apos;s.</source>
        <translation>尚无统计数据。参与联邦的统计轮次，即可将本站点的强度与联邦的强度进行比较。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="102"/>
        <source>This site</source>
        <translation>本站点</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="104"/>
        <source>Federation ({n} sites)</source>
        <translation>联邦（{n} 个站点）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="109"/>
        <source>This site&apos;s window: {low:.0f} to {high:.0f}.</source>
        <translation>本站点的窗口：{low:.0f} 至 {high:.0f}。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="112"/>
        <source>The federation&apos;s window: {low:.0f} to {high:.0f}.</source>
        <translation>联邦的窗口：{low:.0f} 至 {high:.0f}。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="114"/>
        <source>The federation holds too little of this scanner to show (suppressed).</source>
        <translation>联邦中该扫描仪的数据太少，无法显示（已隐藏）。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="116"/>
        <source>suppressed</source>
        <translation>已隐藏</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="121"/>
        <source>Patients per class in the federation (noised): {counts}.</source>
        <translation>联邦中各类别的患者数（含噪声）：{counts}。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="148"/>
        <source>Send noised statistics?</source>
        <translation>发送加噪统计数据？</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="150"/>
        <source>This sends the intensity histograms and patients per class of this site&apos;s {n} training patients, with Gaussian noise (multiplier {noise:g}) and masked, so the coordinator sees only the sum over the sites. It raises their ε from {before:.2f} to at most {after:.2f}. If the round was already published, nothing is sent.</source>
        <translation>这将发送本站点 {n} 名训练患者的强度直方图和各类别患者数，加入高斯噪声（乘数 {noise:g}）并经过掩码，协调器只能看到各站点的总和。这会使他们的 ε 从 {before:.2f} 增加到最多 {after:.2f}。如果该轮次已发布，则不会发送任何内容。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="155"/>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="155"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="164"/>
        <source>Nothing was sent; no privacy budget was spent.</source>
        <translation>未发送任何内容；未消耗隐私预算。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="171"/>
        <source>taking part in the federation&apos;s statistics</source>
        <translation>正在参与联邦统计</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="178"/>
        <source>Reading this site&apos;s training images…</source>
        <translation>正在读取本站点的训练图像…</translation>
    </message>
</context>
<context>
    <name>StudiesPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="73"/>
        <source>Studies</source>
        <extracomment>The search box never gets narrower than this (it held &quot;Se…&quot; beside the buttons).</extracomment>
        <translation>检查</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="77"/>
        <source>Import DICOM studies from a folder, a DICOMDIR or a zip file. Files stay where they are; MedFed indexes them and never sends them anywhere.</source>
        <translation>从文件夹、DICOMDIR 或 zip 文件导入 DICOM 检查。文件保留在原处；MedFed 只为其建立索引，绝不会把它们发送到任何地方。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="91"/>
        <source>Import folder…</source>
        <translation>导入文件夹…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="94"/>
        <source>Import zip or DICOMDIR…</source>
        <translation>导入 zip 或 DICOMDIR…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="96"/>
        <source>Query PACS…</source>
        <translation>查询 PACS…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="101"/>
        <source>Search patient, study, series…</source>
        <translation>搜索患者、检查、序列…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="117"/>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="143"/>
        <source>Modality</source>
        <translation>模态</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="119"/>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="144"/>
        <source>Label</source>
        <translation>标注</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="121"/>
        <source>Only what the task uses</source>
        <translation>仅显示任务使用的内容</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="123"/>
        <source>Hide patients with no series of the task&apos;s modality that its series filter accepts</source>
        <translation>隐藏没有任务模态且未通过其序列筛选的序列的患者</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="131"/>
        <source>Cancel import</source>
        <translation>取消导入</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="143"/>
        <source>Patient / study / series</source>
        <translation>患者 / 检查 / 序列</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="143"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="144"/>
        <source>Images</source>
        <translation>图像数</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="144"/>
        <source>Split</source>
        <translation>划分</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="173"/>
        <source>Last import</source>
        <translation>最近一次导入</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="175"/>
        <source>No import in this session yet.</source>
        <translation>本次会话尚未导入。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="178"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="178"/>
        <source>Why it was skipped</source>
        <translation>跳过原因</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="184"/>
        <source>Skipped files and non-image objects:</source>
        <translation>跳过的文件和非图像对象：</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="203"/>
        <source>Choose a folder of DICOM files</source>
        <translation>选择包含 DICOM 文件的文件夹</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="210"/>
        <source>Choose zip archives or DICOMDIR files</source>
        <translation>选择 zip 压缩包或 DICOMDIR 文件</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="212"/>
        <source>DICOM sources (*.zip DICOMDIR *.dcm);;All files (*)</source>
        <translation>DICOM 来源 (*.zip DICOMDIR *.dcm);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="229"/>
        <source>An import is already running; wait for it or cancel it first.</source>
        <translation>已有导入正在进行；请等待其完成或先取消。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="231"/>
        <source>importing studies</source>
        <translation>导入检查</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="238"/>
        <source>Looking for DICOM files…</source>
        <translation>正在查找 DICOM 文件…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="244"/>
        <source>Importing studies…</source>
        <translation>正在导入检查…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="251"/>
        <source>Stopping after the current batch…</source>
        <translation>将在当前批次完成后停止…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="256"/>
        <source>{done} of {total} files</source>
        <translation>{done} / {total} 个文件</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="264"/>
        <source>{images} images imported ({patients} new patients, {studies} new studies, {series} new series) from {files} files; {skipped} skipped.</source>
        <translation>从 {files} 个文件中导入了 {images} 张图像（新增 {patients} 位患者、{studies} 个检查、{series} 个序列）；跳过 {skipped} 个。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="271"/>
        <source>The import was cancelled; what was imported before is kept. Import the same folder again to finish.</source>
        <translation>导入已取消；此前已导入的内容会保留。再次导入同一文件夹即可完成。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="288"/>
        <source>mask not stored: {reason}</source>
        <translation>掩膜未保存：{reason}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="294"/>
        <source>not an image ({kind}); listed, not imported</source>
        <translation>不是图像（{kind}）；已列出，未导入</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="339"/>
        <source>All modalities</source>
        <translation>全部模态</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="340"/>
        <source>All labels</source>
        <translation>全部标注</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="346"/>
        <source>{patients} patients, {studies} studies, {images} images</source>
        <translation>{patients} 位患者，{studies} 个检查，{images} 张图像</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="368"/>
        <source>Unlabelled</source>
        <translation>未标注</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="441"/>
        <source>drawing thumbnails</source>
        <translation>生成缩略图</translation>
    </message>
</context>
<context>
    <name>SyntheticSamplesBox</name>
    <message>
        <location filename="../../siteapp/ui/widgets/synthetic_samples.py" line="50"/>
        <source>Synthetic images (the federation&apos;s generator)</source>
        <translation>合成图像（联邦训练的生成器）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/synthetic_samples.py" line="57"/>
        <source>Synthetic images are made by the generator the federation trained with privacy protection. They never leave this computer and are never stored with real studies.</source>
        <translation>合成图像由联邦在隐私保护下训练的生成器产生。它们不会离开这台计算机，也不会与真实检查一起存储。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/synthetic_samples.py" line="61"/>
        <source>Show samples</source>
        <translation>显示样本</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/synthetic_samples.py" line="72"/>
        <source>drawing synthetic samples</source>
        <translation>正在生成合成样本</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/synthetic_samples.py" line="79"/>
        <source>No synthetic samples to show: %1</source>
        <translation>没有可显示的合成样本：%1</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/synthetic_samples.py" line="89"/>
        <source>real</source>
        <translation>真实</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/synthetic_samples.py" line="89"/>
        <source>synthetic</source>
        <translation>合成</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/synthetic_samples.py" line="100"/>
        <source>Left: real training images of this site. Right: synthetic images from the generator after round %1. Judge whether they look like the real ones.</source>
        <translation>左：本站点的真实训练图像。右：第 %1 轮后生成器产生的合成图像。请判断它们是否与真实图像相似。</translation>
    </message>
</context>
<context>
    <name>TagPanel</name>
    <message>
        <location filename="../../siteapp/ui/widgets/tag_panel.py" line="31"/>
        <source>Filter tags (name or number)…</source>
        <extracomment>Values longer than this are cut in the panel (the file is unchanged). Nested sequences deeper than this are summarised, not expanded.</extracomment>
        <translation>筛选标签（名称或编号）…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/tag_panel.py" line="36"/>
        <source>Tag</source>
        <translation>标签</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/tag_panel.py" line="36"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/tag_panel.py" line="36"/>
        <source>VR</source>
        <translation>VR</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/tag_panel.py" line="36"/>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/tag_panel.py" line="60"/>
        <source>Cannot read this file&apos;s header</source>
        <translation>无法读取此文件的文件头</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/tag_panel.py" line="75"/>
        <source>{n} item(s)</source>
        <translation>{n} 项</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/tag_panel.py" line="78"/>
        <source>Item {n}</source>
        <translation>第 {n} 项</translation>
    </message>
</context>
<context>
    <name>ViewerPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="71"/>
        <source>Viewer</source>
        <translation>阅片</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="75"/>
        <source>Wheel or arrow keys: slices. Left drag: window/level. Right or middle drag: pan. Ctrl+wheel or +/-: zoom. Keys 1-9: window presets. F: fit. Masks: D draw, E erase, M show/hide, Ctrl+Z undo.</source>
        <translation>滚轮或方向键：切换层面。左键拖动：调节窗宽窗位。右键或中键拖动：平移。Ctrl+滚轮或 +/-：缩放。数字键 1-9：窗口预设。F：适应窗口。掩膜：D 绘制，E 擦除，M 显示/隐藏，Ctrl+Z 撤销。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="89"/>
        <source>Series</source>
        <translation>序列</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="153"/>
        <source>mask</source>
        <translation>掩膜</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="180"/>
        <source>Unsaved mask</source>
        <translation>掩膜未保存</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="181"/>
        <source>The mask of this series has changes that are not saved. Open the other series and discard them?</source>
        <translation>此序列的掩膜有未保存的修改。要打开另一个序列并放弃这些修改吗？</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="183"/>
        <source>Discard changes</source>
        <translation>放弃修改</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="183"/>
        <source>Keep editing</source>
        <translation>继续编辑</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="213"/>
        <source>opening the series</source>
        <translation>打开序列</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="250"/>
        <source>{n} image(s) of this series could not be shown: {first}. The details are in the log file.</source>
        <translation>该序列中有 {n} 张图像无法显示：{first}。详情见日志文件。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="282"/>
        <source>Cannot draw: {why}. Type a segment name first.</source>
        <translation>无法绘制：{why}。请先输入分割区域名称。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="329"/>
        <source>Masks can be drawn on series whose images are all single-frame and of one size.</source>
        <translation>只能在所有图像均为单帧且尺寸相同的序列上绘制掩膜。</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="332"/>
        <source>Saving the mask…</source>
        <translation>正在保存掩膜…</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="334"/>
        <source>phantom</source>
        <translation>体模</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="334"/>
        <source>imported DICOM SEG</source>
        <translation>导入的 DICOM SEG</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="335"/>
        <source>imported RTSTRUCT</source>
        <translation>导入的 RTSTRUCT</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="335"/>
        <source>drawn here</source>
        <translation>在此绘制</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="338"/>
        <source>No mask yet</source>
        <translation>尚无掩膜</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="340"/>
        <source>Mask ({source}): {masked} of {count} images</source>
        <translation>掩膜（{source}）：{count} 张图像中的 {masked} 张</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="341"/>
        <source>not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="344"/>
        <source>unsaved changes</source>
        <translation>有未保存的修改</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="359"/>
        <source>saving the mask</source>
        <translation>保存掩膜</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="369"/>
        <source>Mask saved as DICOM SEG: {path}</source>
        <translation>掩膜已保存为 DICOM SEG：{path}</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="378"/>
        <source>the mask drawn on the open series is not saved</source>
        <translation>当前打开序列上绘制的掩膜尚未保存</translation>
    </message>
</context>
<context>
    <name>Vocabulary</name>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="24"/>
        <source>no nodule</source>
        <extracomment>Class names of the built-in tasks (resources/tasks/), as lupdate collects them.</extracomment>
        <translation>无结节</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="25"/>
        <source>nodule</source>
        <translation>结节</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="26"/>
        <source>normal</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="27"/>
        <source>mass</source>
        <translation>肿块</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="28"/>
        <source>no mass</source>
        <translation>无肿块</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="29"/>
        <source>consolidation</source>
        <translation>实变</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="30"/>
        <source>lesion</source>
        <translation>病灶</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="31"/>
        <source>background</source>
        <translation>背景</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="34"/>
        <source>training</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="35"/>
        <source>validation</source>
        <translation>验证</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="38"/>
        <source>local-only training</source>
        <translation>仅本地训练</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="39"/>
        <source>federation</source>
        <translation>联邦学习</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="40"/>
        <source>federation statistics</source>
        <translation>联邦统计</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="43"/>
        <source>recorded, not finished</source>
        <translation>已记录，未完成</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="44"/>
        <source>completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="45"/>
        <source>cancelled (still counted)</source>
        <translation>已取消（仍计入）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="49"/>
        <source>privacy cost recorded</source>
        <extracomment>A round as this site&apos;s records keep it (``SiteRoundStatus``).</extracomment>
        <translation>已记录隐私消耗</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="50"/>
        <source>trained, not sent</source>
        <translation>已训练，未发送</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="51"/>
        <source>update sent</source>
        <translation>更新已发送</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="52"/>
        <source>complete</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="53"/>
        <source>missed</source>
        <translation>错过</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="57"/>
        <source>Lung nodule on chest CT</source>
        <extracomment>Titles of the built-in tasks, by task name.</extracomment>
        <translation>胸部 CT 肺结节</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="58"/>
        <source>Lung nodule on chest CT, whole volume</source>
        <translation>胸部 CT 肺结节（整个容积）</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="59"/>
        <source>Mass on screening mammogram</source>
        <translation>筛查乳腺 X 线摄影中的肿块</translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="60"/>
        <source>Finding on a frontal chest radiograph</source>
        <translation>正位胸片上的异常发现</translation>
    </message>
</context>
</TS>
