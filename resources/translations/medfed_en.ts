<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>App</name>
    <message>
        <location filename="../../siteapp/ui/app.py" line="128"/>
        <source>MedFed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="45"/>
        <source>Audit log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="49"/>
        <source>Every request this workstation sent to the coordinator: when, what it carried, how many bytes, and the SHA-256 fingerprint of the body. Shown first: the requests that carried data.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="60"/>
        <source>Requests that carried data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="61"/>
        <source>Every request (status polls grouped)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="63"/>
        <source>Uploads (model updates)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="63"/>
        <source>Downloads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="64"/>
        <source>Validation scores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="64"/>
        <source>Masking messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="65"/>
        <source>Encryption key sharing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="66"/>
        <source>Status polls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="66"/>
        <source>Other</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="72"/>
        <source>upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="72"/>
        <source>download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="73"/>
        <source>validation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="73"/>
        <source>masking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="74"/>
        <source>poll</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="74"/>
        <source>other</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="74"/>
        <source>key sharing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="77"/>
        <source>All time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="78"/>
        <source>Last hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="79"/>
        <source>Last day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="80"/>
        <source>Last week</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="82"/>
        <source>Search endpoint, hash, content…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="84"/>
        <source>Export CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="86"/>
        <source>Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="96"/>
        <source>Time (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="96"/>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="96"/>
        <source>Request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="96"/>
        <source>HTTP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="97"/>
        <source>Bytes sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="97"/>
        <source>SHA-256</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="97"/>
        <source>What it carried</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="97"/>
        <source>Tries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="138"/>
        <source>{n} request(s) shown ({polls} of them status polls that carried nothing), {uploads} upload(s), {total:,} bytes sent in total.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="154"/>
        <source>{n} status polls</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="155"/>
        <source>nothing (asked for the plan or the round state)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="165"/>
        <source>Export the audit log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="166"/>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="174"/>
        <source>exporting the audit log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/audit_page.py" line="176"/>
        <source>{n} request(s) written to {file}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DicomNetworkSection</name>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="50"/>
        <source>DICOM network (PACS and modalities)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="62"/>
        <source>e.g. CT_SCANNER1, PACS_MAIN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="64"/>
        <source>any host (the AE title is still checked)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="65"/>
        <source>Start the receiver when the app starts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="66"/>
        <source>This site&apos;s AE title</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="67"/>
        <source>Receiver port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="68"/>
        <source>Allowed calling AE titles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="69"/>
        <source>Allowed hosts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="77"/>
        <source>Receiver</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="80"/>
        <source>PACS nodes this site queries, retrieves from and sends results to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="83"/>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="83"/>
        <source>AE title</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="83"/>
        <source>Host</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="83"/>
        <source>Port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="84"/>
        <source>Retrieve by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="84"/>
        <source>TLS: CA file (empty = no TLS)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="93"/>
        <source>Add node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="95"/>
        <source>Remove node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="97"/>
        <source>Test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="99"/>
        <source>Save DICOM network settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="112"/>
        <source>The DICOM receiver did not start: {problem}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="143"/>
        <source>C-MOVE to this site</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="144"/>
        <source>C-GET</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="183"/>
        <source>saving the DICOM network settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="185"/>
        <source>DICOM network settings saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="187"/>
        <source>Stop and start the receiver to use them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="199"/>
        <source>Listening as {ae} on port {port}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="201"/>
        <source>Stop receiver</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="203"/>
        <source>Stopped: nothing can send studies to this site.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="204"/>
        <source>Start receiver</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="209"/>
        <source>DICOM receiver stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="216"/>
        <source>starting the DICOM receiver</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="218"/>
        <source>DICOM receiver started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="223"/>
        <source>Received from {ae}: {summary}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="242"/>
        <source>testing the connection to {node}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/network_settings.py" line="244"/>
        <source>{node} answered.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../../siteapp/ui/error_messages.py" line="31"/>
        <source>Something unexpected went wrong while {action}. The details were written to the log file (Help &gt; Open log folder). Try again; if it happens again, send that log to your IT support.</source>
        <extracomment>Errors whose message is written for a person (the coordinator client&apos;s connection failures say what went wrong and what to do in words).</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FederationPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="113"/>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="515"/>
        <source>Federation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="117"/>
        <source>Train together with other hospitals. Only protected model updates leave this workstation; images, labels and patient records never do.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="131"/>
        <source>open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="131"/>
        <source>collecting updates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="132"/>
        <source>aggregating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="132"/>
        <source>published</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="133"/>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="137"/>
        <source>Enrolment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="143"/>
        <source>CA fingerprint read out by your operator (recommended)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="144"/>
        <source>Fingerprint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="145"/>
        <source>Request enrolment…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="147"/>
        <source>Make this site&apos;s private key (it never leaves this computer) and a certificate request to send to the federation&apos;s operator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="150"/>
        <source>Import enrolment kit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="152"/>
        <source>Leave this federation…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="154"/>
        <source>Forget the kit and the federation&apos;s keys, e.g. after a wrong kit. Studies, labels, models and the privacy ledger stay.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="165"/>
        <source>The federation plan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="177"/>
        <source>Take part</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="179"/>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="392"/>
        <source>Connection: not checked yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="183"/>
        <source>Join</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="186"/>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="188"/>
        <source>Leave after this round</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="191"/>
        <source>Check connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="210"/>
        <source>Round</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="210"/>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="210"/>
        <source>Patients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="210"/>
        <source>Uploaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="211"/>
        <source>ε after</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="211"/>
        <source>AUC (global model)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="219"/>
        <source>Rounds this site took part in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="243"/>
        <source>This site is not enrolled yet. Import the enrolment kit (.medfed-kit) your federation operator sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="246"/>
        <source>The plan appears here once the kit is imported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="250"/>
        <source>Site &lt;b&gt;{site}&lt;/b&gt; of federation &lt;b&gt;{federation}&lt;/b&gt;&lt;br&gt;Coordinator: {url}&lt;br&gt;CA fingerprint: {fp}&lt;br&gt;Kit valid until {expires}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="286"/>
        <source>All {n} rounds of the plan are complete.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="288"/>
        <source>Round {n} is complete; the next Join takes part in the next round.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="293"/>
        <source>checking the training device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="297"/>
        <source>Training device: {device} (change it in Settings)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="307"/>
        <source>Request enrolment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="307"/>
        <source>This site&apos;s name in the federation plan:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="311"/>
        <source>Save the certificate request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="312"/>
        <source>Certificate requests (*.csr);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="324"/>
        <source>making the certificate request</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="327"/>
        <source>Saved the certificate request of site {site} to {path}. Send it to your federation&apos;s operator and read them its fingerprint {fingerprint}; then import the kit they send back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="336"/>
        <source>Import the enrolment kit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="336"/>
        <source>MedFed kits (*.medfed-kit);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="348"/>
        <source>importing the enrolment kit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="353"/>
        <source>Enrolled as site {site} of federation {federation}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="370"/>
        <source>Leave the federation?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="372"/>
        <source>Leave federation {federation} (site {site})? Its enrolment kit and keys are deleted from this data folder. Your studies, labels, models, round history and privacy ledger stay, and the ε already spent keeps counting. To take part again, import a kit from the operator.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="377"/>
        <source>Leave the federation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="377"/>
        <source>Stay enrolled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="386"/>
        <source>leaving the federation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="389"/>
        <source>Left federation {federation}. Everything else in this data folder is kept; import a kit to take part again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="407"/>
        <source>contacting the coordinator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="426"/>
        <source>Rounds start once every site holds the federation&apos;s encryption key; waiting for: {sites}. Each site gets it when it joins.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="432"/>
        <source>Connection: not reachable. {message}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="411"/>
        <source>Connection: checking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="418"/>
        <source>Connected. The federation has finished all its rounds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="420"/>
        <source>Connected. Round {n} is {phase}; {k} site(s) have uploaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="441"/>
        <source>This site is taking part in a federation round. Quitting stops it now: the privacy budget recorded for the round in progress stays spent, and the round may close without this site. Press Join after you start MedFed again: the site picks up the round if it is still open, without recording its cost twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="476"/>
        <source>taking part in the federation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="484"/>
        <source>Starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="485"/>
        <source>Federation running…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="491"/>
        <source>Pausing at the next safe point; progress is saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="496"/>
        <source>Will stop once the current round is aggregated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="500"/>
        <source>Connection: no answer now. {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="502"/>
        <source>Connection: no answer now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="503"/>
        <source>Connection: the coordinator answers again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="515"/>
        <source>Round {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="522"/>
        <source>Paused: {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="524"/>
        <source>The federation has finished. This site&apos;s ε is {eps:.2f}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="525"/>
        <source>The federation has finished all its rounds; there is nothing to wait for.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="528"/>
        <source>Took part in {n} round(s); this site&apos;s ε is {eps:.2f}; {bytes:,} bytes sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="534"/>
        <source>Stopped.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FederationPlanText</name>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="23"/>
        <source>Encrypted (CKKS): this site&apos;s update is encrypted before it leaves; the coordinator only adds encrypted updates and can never read one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="25"/>
        <source>Masked (secure sum): each update is hidden by random masks that cancel only when all sites&apos; updates are added; the coordinator sees the sum only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="27"/>
        <source>Not encrypted (TLS only): the coordinator can read this site&apos;s individual update. Needed by Krum and the trimmed mean (the median and the winsorised mean also run masked).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="36"/>
        <source>FedAvg: the new model is the average of the sites&apos; models, weighted by patients.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="37"/>
        <source>FedProx: like FedAvg, with each site kept close to the shared model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="38"/>
        <source>FedMedian: the coordinate-wise median, robust to one bad site.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="39"/>
        <source>Trimmed mean: the average after dropping the extremes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="40"/>
        <source>Krum: keeps the update most similar to the others, robust to poisoning.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="41"/>
        <source>FedAdagrad: averaging with an adaptive server step.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="42"/>
        <source>FedAdam: averaging with an Adam server optimiser.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="43"/>
        <source>FedYogi: averaging with a Yogi server optimiser.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="44"/>
        <source>Winsorised mean: each value is first limited to the range most sites agree on, then averaged; robust to a site sending extreme values.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="57"/>
        <source>Each round asks {probes} questions after training, one masked sum each: for every number of the model, is this site&apos;s value at or below a threshold the coordinator publishes? Only the count of sites answering yes is unmasked; it moves each threshold up or down, and after {probes} questions the thresholds are the median to within {precision:.1g}. The coordinator learns those counts per number and question, never one site&apos;s value or answer (unless all sites or none answer yes). A site that leaves between questions is left out of the later ones.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="68"/>
        <source>Then each site limits its update to the range found this way and the sites add their limited updates in one more masked sum.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="83"/>
        <source>The model update, as {probes} masked answers per number (is it at or below the published threshold?); only the count over at least 3 sites is ever revealed. Covered by ε: DP-SGD noise is added before any answer is computed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="90"/>
        <source>Then the update itself, limited to that range and masked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="94"/>
        <source>The model update, {protection}. Covered by ε: DP-SGD noise is added before it leaves.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="97"/>
        <source>encrypted or masked, only the sum of at least 3 sites is ever revealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="99"/>
        <source>readable by the coordinator (TLS only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="100"/>
        <source>The number of training patients, {protection}. Not covered by ε: it is exact.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="103"/>
        <source>inside the encrypted or masked sum, so sites learn only the total of all sites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="105"/>
        <source>readable by the coordinator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="108"/>
        <source>Validation figures: none (the plan asks for none).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="110"/>
        <source>Validation figures: the validation patients counted by class and score band, with random noise (σ {sigma:g}) added to every count; exact AUC, counts and the confusion matrix stay here. Covered by ε: the validation patients&apos; own line in the ledger. The site policy can refuse to send them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="117"/>
        <source>When this site joins, uploads and reports, and the size of each message. Not covered by ε; training time grows with the number of patients.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="122"/>
        <source>No image, label or patient record ever leaves; the Audit log lists every byte sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="126"/>
        <source>If this site takes part in the statistics{needed}: intensity histograms per scanner model and patients per class of the training patients, with random noise (σ {sigma:g} x 1.41) on every number, masked: only the sum of at least 3 sites is revealed. Covered by ε: the training patients&apos; line in the ledger.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="133"/>
        <source> (the task needs them: it windows with the federation&apos;s percentiles)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="159"/>
        <source>{rounds} rounds; each needs at least {min_sites} of the {n} sites ({sites}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="163"/>
        <source>{epochs} pass(es) over this site&apos;s labelled patients per round, with differential privacy: at most ε {eps:g} per round (δ {delta:g}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="171"/>
        <source>Task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="172"/>
        <source>What is learnt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="173"/>
        <source>Classes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="174"/>
        <source>Rounds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="175"/>
        <source>Combining</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="176"/>
        <source>Protection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="177"/>
        <source>Local training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="178"/>
        <source>What leaves this site</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/federation_view.py" line="182"/>
        <source>Secure median</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GettingStarted</name>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="36"/>
        <source>1. Import studies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="37"/>
        <source>{patients} patient(s), {images} image(s) imported. Studies &gt; Import (folders, DICOMDIR, zip) or Query PACS.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="40"/>
        <source>2. Label patients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="41"/>
        <source>{labelled} patient(s) labelled, {val} kept for validation. Labels: one key per class, or import a labels CSV.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="44"/>
        <source>3. Enrol in the federation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="45"/>
        <source>Site {site} of federation {federation}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="48"/>
        <source>Federation &gt; Request enrolment, send the request to your operator, then import the kit they send back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="50"/>
        <source>4. Join the rounds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/getting_started.py" line="51"/>
        <source>{n} round(s) taken part in. Federation &gt; Join; the Privacy page shows what each round costs before it starts.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HelpPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="24"/>
        <source>Getting started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="28"/>
        <source>Four steps from a new installation to a model trained with other hospitals. No image, label or patient record ever leaves this workstation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="35"/>
        <source>Where this site stands</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="38"/>
        <source>Good to know</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="41"/>
        <source>Privacy: every training run spends part of this site&apos;s privacy budget (ε). The app says how much before it starts and refuses what would pass the cap your privacy officer set (Privacy page).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="44"/>
        <source>What leaves: only protected model updates and the figures listed on the Federation page; the Audit log shows every request that was sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="46"/>
        <source>Which model answers: the newest federated model, unless you pin another on the Inference page. Results are decision support, not a diagnosis.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="48"/>
        <source>Problems: every message says what to do next; details go to the log file (Help &gt; Open log folder).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="62"/>
        <source>reading where this site stands</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/help_page.py" line="78"/>
        <source>Open</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImageViewer</name>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="124"/>
        <source>Window preset (keys 1-9)</source>
        <extracomment>Percentiles that bound the &quot;auto&quot; window (mammography, unknown modalities). Pixels of mouse travel for a window change of 1/WINDOW_DRAG_STEPS of the data range. Colour frames are 0-255 RGB: the window spans exactly that. A paint gesture in paint mode: image (x, y), starts a stroke, ends it.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="127"/>
        <source>Slice (mouse wheel, arrow keys, Page Up/Down)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="135"/>
        <source>The pixel under the mouse: column, row and its value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="138"/>
        <source>Fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="139"/>
        <source>Fit the image to the view (key F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="143"/>
        <source>Window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="168"/>
        <source>Lung</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="168"/>
        <source>Mediastinum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="169"/>
        <source>Bone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="169"/>
        <source>Brain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="170"/>
        <source>Soft tissue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="173"/>
        <source>{name} (W {width:.0f} L {center:.0f})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="180"/>
        <source>Auto (image percentiles)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="189"/>
        <source>Custom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="349"/>
        <source>Slice {index} / {count}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/image_viewer.py" line="352"/>
        <source>W {width:.0f}  L {center:.0f}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InferencePage</name>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="79"/>
        <source>Inference</source>
        <extracomment>Column keys of the results table, in order.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="83"/>
        <source>Run the current model on a new scan or on studies already imported. The highlighted regions show what the model looked at. This is decision support, not a diagnosis.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="93"/>
        <source>Open a new scan (folder)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="96"/>
        <source>Predict selected studies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="98"/>
        <source>Export CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="101"/>
        <source>Export as DICOM…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="120"/>
        <source>Imported studies (select one or more)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="125"/>
        <source>Patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="125"/>
        <source>Images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="125"/>
        <source>Study</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="125"/>
        <source>Model&apos;s answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="126"/>
        <source>Model round</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="126"/>
        <source>Its probability</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="126"/>
        <source>Your label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="130"/>
        <source>The model&apos;s estimated probability that the study shows its answer (the classes&apos; probabilities add up to 100%). It is not a diagnosis.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="132"/>
        <source>The label this site gave the study or its patient, where there is one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="150"/>
        <source>The model that answers. By default the newest federated model; choose another to pin it, so that training a local-only model never changes it silently.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="153"/>
        <source>Export model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="155"/>
        <source>Write the model&apos;s weights and its card (task, rounds, privacy, figures) to a folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="158"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="161"/>
        <source>Results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="167"/>
        <source>No prediction yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="174"/>
        <source>The class the saliency overlay explains</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="184"/>
        <source>How strongly the heat map covers the image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="189"/>
        <source>Heat map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="193"/>
        <source>Copy path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="194"/>
        <source>Copy the DICOM SEG file&apos;s full path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="203"/>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="371"/>
        <source>Saliency (Grad-CAM) on the model&apos;s input image: warmer = more influence.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="244"/>
        <source>No model yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="245"/>
        <source>No trained model yet: join a federation round or train a local-only model first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="247"/>
        <source>Default: the newest federated model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="249"/>
        <source>federated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="250"/>
        <source>local-only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="252"/>
        <source>{source}, round {round} · {model} · {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="261"/>
        <source>pinned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="261"/>
        <source>the default choice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="262"/>
        <source>the federation&apos;s model after round {round}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="263"/>
        <source>this site&apos;s local-only model after round {round}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="265"/>
        <source>, this site&apos;s ε then {eps:.2f}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="267"/>
        <source>Answering: {what} ({model}, task {task}, saved {when}{epsilon}; {how}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="277"/>
        <source>choosing the model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="281"/>
        <source>Choose a folder for the model and its card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="293"/>
        <source>exporting the model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="295"/>
        <source>Model and card written to {folder}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="308"/>
        <source>Choose the folder of the new scan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="318"/>
        <source>Select one or more studies in the list first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="323"/>
        <source>finding the studies&apos; files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="333"/>
        <source>running the model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="359"/>
        <source>Explain: the predicted class</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="361"/>
        <source>Explain: {c}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="382"/>
        <source>(no patient ID)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="399"/>
        <source>{n} file(s) were skipped, for example: {first}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="413"/>
        <source>Predicted mask over the model&apos;s input image (the slice with the most of it).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="439"/>
        <source>{answer} (probability {p:.0%})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="444"/>
        <source>Your label: {label}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="445"/>
        <source>This site has no label for this study.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="448"/>
        <source>The model&apos;s estimated probability of each class: {every}. {known} The overlay shows what points to {explained}, on image {position} of {total} (the one with the most evidence for it); model round {round}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="474"/>
        <source>(no date)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="492"/>
        <source>nothing found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="494"/>
        <source>Written as DICOM SEG, which other viewers open (model round {round}):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="506"/>
        <source>Path copied.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="510"/>
        <source>Export predictions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="510"/>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="530"/>
        <source>exporting the predictions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/inference_page.py" line="532"/>
        <source>{n} prediction(s) written to {file}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LabelsPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="59"/>
        <source>Labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="63"/>
        <source>Label each patient: press the number of a class, 0 to clear, N or Space for the next unlabelled patient. Labels never leave this site.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="77"/>
        <source>Show unlabelled patients only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="79"/>
        <source>Import labels CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="81"/>
        <source>Export labels CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="83"/>
        <source>Task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="94"/>
        <source>Patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="94"/>
        <source>Studies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="94"/>
        <source>Images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="94"/>
        <source>Label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="94"/>
        <source>Split</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="95"/>
        <source>Mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="116"/>
        <source>Classes (press the key)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="118"/>
        <source>Class balance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="126"/>
        <source>Problems in the labels file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="129"/>
        <source>Row</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="129"/>
        <source>Problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="205"/>
        <source>0   clear label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="207"/>
        <source>N   next unlabelled patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="224"/>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="254"/>
        <source>unlabelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="225"/>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="261"/>
        <source>{labelled} of {total} patients labelled ({parts}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="302"/>
        <source>opening the study preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="327"/>
        <source>saving the label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="348"/>
        <source>Every patient is labelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="352"/>
        <source>Import labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="352"/>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="387"/>
        <source>CSV files (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="368"/>
        <source>{n} problem(s) in {file}; no labels were applied. Fix the rows listed on the right and import the file again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="373"/>
        <source>importing the labels file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="376"/>
        <source>{patients} patients and {studies} studies labelled from {file}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="387"/>
        <source>Export labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="395"/>
        <source>exporting the labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/labels_page.py" line="398"/>
        <source>{n} labels written to {file}. The file holds real patient IDs: keep it on this site.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="67"/>
        <source>MedFed Site</source>
        <extracomment>The page a data folder without studies opens on, when no page was saved. Asks the app to rebuild the window in another language (Settings changed it).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="143"/>
        <source>Data folder: {folder}   Device: {device}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="153"/>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="154"/>
        <source>&amp;Import studies…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="159"/>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="164"/>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="172"/>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="173"/>
        <source>Open &amp;log folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="176"/>
        <source>&amp;Getting started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="179"/>
        <source>&amp;About MedFed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="197"/>
        <source>Not enrolled in a federation yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="199"/>
        <source>Federation: {federation} (site {site})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="203"/>
        <source>&lt;h3&gt;MedFed Site {version}&lt;/h3&gt;&lt;p&gt;Train one medical-imaging model with other hospitals without any image, label or patient record leaving this workstation.&lt;/p&gt;&lt;p&gt;{federation}&lt;/p&gt;&lt;p&gt;Data folder: {folder}&lt;br&gt;Log file: {log}&lt;br&gt;Python {python}, Qt {qt}&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="218"/>
        <source>About MedFed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="247"/>
        <source>The new language is used from the next start of the app: work is running now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="263"/>
        <source>Quit while work is running?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="264"/>
        <source>Stop and quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/main_window.py" line="264"/>
        <source>Keep working</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/app.py" line="79"/>
        <source>handling your last action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/app.py" line="80"/>
        <source>MedFed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MaskTools</name>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="43"/>
        <source>Show mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="45"/>
        <source>Show or hide the mask over the image (key M)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="50"/>
        <source>The segment the brush draws; type a name for a new one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="52"/>
        <source>Draw</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="53"/>
        <source>Paint the segment with the left mouse button (key D)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="55"/>
        <source>Erase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="56"/>
        <source>Erase the mask with the left mouse button (key E)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="63"/>
        <source> px</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="64"/>
        <source>Brush radius in image pixels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="66"/>
        <source>Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="67"/>
        <source>Take back the last stroke (Ctrl+Z)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="69"/>
        <source>Save mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="70"/>
        <source>Store the mask as this site&apos;s DICOM SEG of the series</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="78"/>
        <source>Segment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/mask_tools.py" line="82"/>
        <source>Brush</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NoticeBar</name>
    <message>
        <location filename="../../siteapp/ui/widgets/notice_bar.py" line="39"/>
        <source>Dismiss</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Page</name>
    <message>
        <location filename="../../siteapp/ui/pages/base.py" line="72"/>
        <source>loading this page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/base.py" line="84"/>
        <source>reading the study index</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PrivacyPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="68"/>
        <source>cap {cap:g}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="78"/>
        <source>Privacy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="82"/>
        <source>How much privacy budget this site has spent on training, for every patient, counted over all rounds and restarts. Training stops before the cap is passed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="91"/>
        <source>Privacy budget used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="103"/>
        <source>Rounds still to join</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="111"/>
        <source>What this means for one patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="118"/>
        <source>Epsilon per round</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="120"/>
        <source>ε</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="120"/>
        <source>ledger entry (round)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="125"/>
        <source>This site&apos;s cap (privacy officer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="132"/>
        <source>automatic: 1e-5, or 1 / (10 × patients) if smaller</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="133"/>
        <source>Save cap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="135"/>
        <source>Epsilon cap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="136"/>
        <source>Delta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="141"/>
        <source>Round</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="141"/>
        <source>Context</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="141"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="141"/>
        <source>Noise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="142"/>
        <source>Steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="142"/>
        <source>Patients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="142"/>
        <source>ε after</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="149"/>
        <source>Privacy ledger (every round, recorded before training)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="168"/>
        <source>From the federation plan: rounds this site has not taken part in yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="171"/>
        <source>ε = {spent:.2f} of {cap:g}  ({percent:.0f}% of the cap), δ = {delta:.1e}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="176"/>
        <source>(nominal)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="180"/>
        <source>No rounds are left to join, so nothing more will be spent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="183"/>
        <source>No training has been recorded yet, so there is nothing to project from.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="187"/>
        <source>If this site joins {rounds} more round(s) like the last one, its total will be ε = {projected:.2f}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="191"/>
        <source>That passes the cap: the app will refuse the round that would cross it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="200"/>
        <source>Some rounds drew their privacy randomness from a fixed seed (a test or demo option): whoever knows the seed can undo their noise, so the ε shown is nominal, not a guarantee.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="204"/>
        <source>The cap is reached: this site will not train again unless the privacy officer raises it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="206"/>
        <source>More than 80% of the privacy cap is spent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="211"/>
        <source>&lt;p&gt;Differential privacy limits what anyone can learn about &lt;b&gt;one patient&lt;/b&gt; from the model, even someone who knows every other patient.&lt;/p&gt;&lt;p&gt;&lt;b&gt;ε = {eps:.2f}&lt;/b&gt;: whatever the model is used for, including that patient&apos;s images can make any conclusion about them at most &lt;b&gt;{factor:.1f}×&lt;/b&gt; more (or less) likely than if their images had never been used. Smaller is more private; 0 would mean no influence at all.&lt;/p&gt;&lt;p&gt;&lt;b&gt;δ = {delta:.1e}&lt;/b&gt;: the small chance (about 1 in {one_in:,.0f}) that this guarantee does not hold for a given patient.&lt;/p&gt;&lt;p&gt;The count covers every round since this site started, across restarts.&lt;/p&gt;&lt;p&gt;Validation patients have their own line: the noised validation figures sent to the coordinator have cost them ε = {validation:.2f} so far. A patient is either a training or a validation patient, so the site&apos;s ε is the larger of the two lines.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="232"/>
        <source>total ε</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="233"/>
        <source>added by the round</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="234"/>
        <source>cap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="242"/>
        <source>(validation report)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="244"/>
        <source>[seeded: nominal]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="255"/>
        <source>Delta must be a number such as 1e-5, or empty for automatic.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="260"/>
        <source>saving the privacy cap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/privacy_page.py" line="264"/>
        <source>The privacy cap is now ε = {cap:g}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QualityPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="59"/>
        <source>Model quality</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="63"/>
        <source>How well the model recognises the condition on this site&apos;s own held-out patients (never used for training), round by round.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="81"/>
        <source>AUC (1.0 = perfect ranking)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="82"/>
        <source>Sensitivity (positives found)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="83"/>
        <source>Specificity (negatives cleared)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="84"/>
        <source>Dice (overlap of predicted and drawn outlines, 1.0 = exact)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="86"/>
        <source>AUC</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="86"/>
        <source>sensitivity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="87"/>
        <source>specificity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="87"/>
        <source>Dice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="92"/>
        <source>round</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="100"/>
        <source>Confusion matrix (latest model, held-out patients)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="118"/>
        <source>Local-only model (baseline)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="121"/>
        <source>Trains on this site&apos;s labelled patients only, with the same privacy protection. It spends privacy budget like a federation round.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="129"/>
        <source>Train local-only model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="132"/>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="317"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="135"/>
        <source>Rounds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="159"/>
        <source>reading the model metrics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="170"/>
        <source>federated (global) model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="172"/>
        <source>local-only model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="179"/>
        <source>No model has been trained at this site yet. Join a federation round, or train a local-only model below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="187"/>
        <source>{region}: Dice {dice}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="191"/>
        <source>Latest model: {source} round {round} — Dice {dice}, Hausdorff distance (95 %) {hd95} mm on {count} held-out patients.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="203"/>
        <source>Latest model: {source} round {round} — AUC {auc}, sensitivity {sens}, specificity {spec} on {count} held-out patients.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="193"/>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="206"/>
        <source>federated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="193"/>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="206"/>
        <source>local-only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="214"/>
        <source>In brackets: the 95% confidence interval; a small validation set gives a wide one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="225"/>
        <source>Decision threshold: a patient is called {positive} when the model&apos;s probability of {positive} is at least {t:.2f}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="228"/>
        <source>Decision rule: a patient is called the class with the highest probability.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="238"/>
        <source>predicted {c}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="239"/>
        <source>truly {c}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="252"/>
        <source>Rows: the true class from your labels. Columns: what the model said. Green cells are correct; red cells are mistakes (a finding missed, a false alarm, or one finding taken for another).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="261"/>
        <source>Local-only training is running. Quitting stops it after the current step: the round in progress stays counted in this site&apos;s privacy budget (it was recorded before training began) and its model is not saved. It does not resume by itself; train again from Model quality when you are ready.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="282"/>
        <source>working out the privacy cost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="288"/>
        <source>Working out what this run costs in privacy…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="309"/>
        <source>Spend privacy budget?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="317"/>
        <source>Train and spend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="406"/>
        <source>{name}: AUC {auc}, sensitivity {sens}, specificity {spec} ({n} patients)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="305"/>
        <source>Not trained: no privacy budget was spent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="311"/>
        <source>Training {rounds} local-only round(s) spends privacy budget: this site&apos;s ε goes from {before:.2f} to {after:.2f} of its cap of {cap:g} (δ {delta:.1e}). Spent budget cannot be won back. Budget left after this run can still be used for federation rounds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="331"/>
        <source>training the local-only model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="341"/>
        <source>Preparing images and checking the privacy budget…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="342"/>
        <source>Training…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="349"/>
        <source>Stopping after the current step…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="354"/>
        <source>Training: step {done} of {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="362"/>
        <source>Done: {rounds} round(s) on {device}; this site&apos;s ε is now {eps:.2f}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/quality_page.py" line="366"/>
        <source>The local-only model is trained.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QueryPacsDialog</name>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="56"/>
        <source>Query PACS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="65"/>
        <source>PACS node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="68"/>
        <source>DOE^JOHN, or DOE* for all names starting with DOE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="69"/>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="106"/>
        <source>Patient ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="70"/>
        <source>Patient name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="72"/>
        <source>Study date from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="83"/>
        <source>to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="86"/>
        <source>Dates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="89"/>
        <source>Any</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="91"/>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="106"/>
        <source>Modality</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="92"/>
        <source>Accession number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="96"/>
        <source>Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="106"/>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="106"/>
        <source>Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="107"/>
        <source>Accession</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="107"/>
        <source>Description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="107"/>
        <source>Images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="124"/>
        <source>Retrieve selected studies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="126"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="128"/>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="142"/>
        <source>reading the DICOM network settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="148"/>
        <source>No PACS node is configured yet: add one in Settings &gt; DICOM network.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="185"/>
        <source>Searching {node}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="186"/>
        <source>querying {node}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="200"/>
        <source>{n} studies found. Select the ones to retrieve.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="219"/>
        <source>Retrieving {n} studies from {node}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="221"/>
        <source>retrieving studies from {node}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/query_dialog.py" line="251"/>
        <source>Cancelling; what has arrived is kept…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ResultsExportDialog</name>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="50"/>
        <source>Export results as DICOM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="54"/>
        <source>For each of the {n} studies: a Structured Report (predicted class, probability, model {model}, round {round}) and the saliency map as a Secondary Capture image, both filed in the patient&apos;s study.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="64"/>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="68"/>
        <source>Write to folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="70"/>
        <source>Also send to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="74"/>
        <source>PACS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="86"/>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="89"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="92"/>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="103"/>
        <source>{patient}: {predicted} (probability {p:.0%})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="111"/>
        <source>Structured Report + saliency image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="117"/>
        <source>reading the DICOM network settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="125"/>
        <source>no PACS node configured (Settings &gt; DICOM network)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="128"/>
        <source>Choose a folder for the DICOM results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="146"/>
        <source>exporting the results as DICOM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="156"/>
        <source>Writing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="171"/>
        <source>Structured Report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="172"/>
        <source>saliency image (Secondary Capture)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="173"/>
        <source>written, sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="173"/>
        <source>written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="179"/>
        <source>{n} DICOM objects written to {folder}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pacs/results_export.py" line="182"/>
        <source>Sent {sent} to {node}; {failed} refused.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RoundTimeline</name>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="70"/>
        <source>Waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="70"/>
        <source>Sharing keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="71"/>
        <source>Training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="71"/>
        <source>Encrypting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="72"/>
        <source>Uploading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="73"/>
        <source>Waiting for others</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/federation_page.py" line="74"/>
        <source>Aggregated</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RunnerWords</name>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="23"/>
        <source>{why}. Gave up after {seconds:.0f} s; this site&apos;s progress is saved, run join again to resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="28"/>
        <source>packing the update (plaintext over TLS)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="29"/>
        <source>encrypting the update (CKKS)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="30"/>
        <source>masking the update (secure sum)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="31"/>
        <source>the task windows images with the federation&apos;s statistics: taking part in the statistics round first (its cost goes to the ledger)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="36"/>
        <source>secure median: masked sum {n} of {of}, agreeing pairwise masks with the other sites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="41"/>
        <source>round {n} went on without this site: {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="42"/>
        <source>training with differential privacy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="43"/>
        <source>training the synthetic-image generator with differential privacy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="44"/>
        <source>uploading {size} bytes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="45"/>
        <source>waiting for the other sites&apos; updates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="46"/>
        <source>round {n} aggregated; validation {metric} {value}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="47"/>
        <source>waiting for the other sites ({step} step)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="48"/>
        <source>waiting for the other sites ({step} step of secure sum {n})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="49"/>
        <source>training step {step} of {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="50"/>
        <source>uploading {size} bytes (secure sum {n})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="51"/>
        <source>waiting for the next round</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="52"/>
        <source>waiting for the federation&apos;s encryption key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="53"/>
        <source>every site holds the federation&apos;s encryption key (generation {generation})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="54"/>
        <source>waiting for site {holder} to make the federation&apos;s encryption key (generation {generation})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="58"/>
        <source>waiting for site {holder} to hand the encryption key to {sites}; rounds start once every site holds it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="63"/>
        <source>confirming who took part</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="64"/>
        <source>helping remove the masks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="65"/>
        <source>validation figures not reported: {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="66"/>
        <source>agreeing pairwise masks with the other sites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="67"/>
        <source>statistics: {what}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="68"/>
        <source>no answer yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="69"/>
        <source>{why}. Tried {tries} time(s) over {seconds:.0f} s; nothing was lost: ask the federation operator whether the coordinator is running, check the address, and try again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="75"/>
        <source>HTTP {status}: {text}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="76"/>
        <source>{problem}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="77"/>
        <source>{why}; retrying</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="78"/>
        <source>{problem}; nothing was sent to the coordinator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="79"/>
        <source>the connection to {where} failed ({error})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="80"/>
        <source>a secure connection to {where} could not be set up ({error}); check the coordinator address and that the kit is this federation&apos;s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="85"/>
        <source>nothing answers at {where} (connection refused): the coordinator is not running there, or the address is wrong</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="90"/>
        <source>the name in {where} cannot be found (DNS): check the coordinator address and this workstation&apos;s network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="95"/>
        <source>{where} did not answer in time: the network, a firewall or the coordinator is slow or blocking the connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="100"/>
        <source>the connection to {where} was cut off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="101"/>
        <source>the server at {where} could not prove it is this federation&apos;s coordinator (its certificate is not signed by the federation&apos;s authority in this site&apos;s kit, or is for another name). Retrying cannot fix this: check the coordinator address, or ask the federation operator whether the coordinator&apos;s certificate changed and import the new enrolment kit they give you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="110"/>
        <source>the coordinator at {where} refused this site&apos;s certificate: it was revoked. Ask the federation operator for a new enrolment kit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="115"/>
        <source>a certificate expired (this site&apos;s or the coordinator&apos;s at {where}); ask the federation operator for a renewed kit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="120"/>
        <source>the coordinator at {where} refused this site&apos;s certificate (it does not know it, or it was revoked): check that the kit is this federation&apos;s, or ask the federation operator for a new one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="127"/>
        <source>initial model weights (seed-initialised)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="128"/>
        <source>nothing (download)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="129"/>
        <source>model update</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="130"/>
        <source>validation histogram of the global model (Gaussian-noised at the site)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="134"/>
        <source>secure-aggregation {step} message (keys/shares, no model data)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="135"/>
        <source>request for the federation&apos;s encryption key (this site&apos;s certificate, public)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="139"/>
        <source>CKKS public context (encryption parameters, no key)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="140"/>
        <source>the federation&apos;s CKKS key sealed to site {recipient} (only it can open it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="144"/>
        <source>nothing (a request for the plan, the round state or a message)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="145"/>
        <source>an empty body</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="146"/>
        <source>CKKS-encrypted model update ({size} values x patients, and the patient count)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="150"/>
        <source>masked model update ({size} quantised values x patients, and the patient count)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="154"/>
        <source>plaintext model update ({size} float32 values) and the number of training patients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="158"/>
        <source>masked counts of probe {probe} of {probes} (per parameter, 1 if this site&apos;s update is at or below the public threshold; only their sum across sites is unmasked)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="164"/>
        <source>masked model update clipped to the federation&apos;s quantiles ({size} quantised values x patients, and the patient count)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="169"/>
        <source>federation statistics: intensity histograms and class counts (Gaussian-noised, masked)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/runner_words.py" line="173"/>
        <source>{kind} {instance} in study {study}, with the study&apos;s patient and study attributes ({series})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="62"/>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="65"/>
        <source>Where this site keeps its data, where training runs, and which coordinator it joins.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="69"/>
        <source>This workstation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="72"/>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="77"/>
        <source>Data folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="84"/>
        <source>Training device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="89"/>
        <source>Coordinator address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="96"/>
        <source>HTTPS proxy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="98"/>
        <source>Only if the hospital&apos;s network reaches the internet through a proxy. Empty: the system&apos;s HTTPS_PROXY and NO_PROXY. The coordinator is still checked against the kit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="108"/>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="109"/>
        <source>Saving switches the whole window to the new language.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="120"/>
        <source>Revert</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="122"/>
        <source>Save settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="133"/>
        <source>Automatic (GPU if present)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="134"/>
        <source>CPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="135"/>
        <source>NVIDIA GPU (CUDA)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="136"/>
        <source>Apple GPU (MPS)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="152"/>
        <source>Set by the enrolment kit of federation {federation}; import a new kit to change it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="160"/>
        <source>Checking this computer&apos;s GPU…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="161"/>
        <source>checking the training device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="164"/>
        <source>On this computer, automatic means: {device}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="172"/>
        <source>Choose the site&apos;s data folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="182"/>
        <source>The coordinator address is not valid: {problem}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="187"/>
        <source>The HTTPS proxy address is not valid: {problem}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="196"/>
        <source>checking the data folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/settings_page.py" line="206"/>
        <source>Settings saved.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SitePolicySection</name>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="36"/>
        <source>Site policy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="40"/>
        <source>For the privacy officer: a coordinator&apos;s plan that asks for more than this is refused before anything is trained. The privacy cap is on the Privacy page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="47"/>
        <source>Report validation figures after each round (a histogram with random noise, paid from the validation patients&apos; privacy budget)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="51"/>
        <source>Largest learning rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="53"/>
        <source>Most epochs per round</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="55"/>
        <source>Largest batch (patients)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="57"/>
        <source>Largest per-patient clipping norm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="59"/>
        <source>Fewest training patients to take part</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="62"/>
        <source>Save site policy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="107"/>
        <source>saving the site policy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/policy_settings.py" line="109"/>
        <source>Site policy saved; the next plan is checked against it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StatisticsPanel</name>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="45"/>
        <source>Intensities: this site and the federation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="55"/>
        <source>Take part in the statistics…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="57"/>
        <source>Send this site&apos;s intensity histograms and patients per class, with Gaussian noise and masked, so the federation can window every scanner model alike. Costs privacy budget.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="60"/>
        <source>Scanner</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="63"/>
        <source>Intensity (modality units)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="97"/>
        <source>No statistics yet. Take part in the federation&apos;s statistics round to compare this site&apos;s intensities with the federation&apos;s.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="102"/>
        <source>This site</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="104"/>
        <source>Federation ({n} sites)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="109"/>
        <source>This site&apos;s window: {low:.0f} to {high:.0f}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="112"/>
        <source>The federation&apos;s window: {low:.0f} to {high:.0f}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="114"/>
        <source>The federation holds too little of this scanner to show (suppressed).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="116"/>
        <source>suppressed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="121"/>
        <source>Patients per class in the federation (noised): {counts}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="148"/>
        <source>Send noised statistics?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="150"/>
        <source>This sends the intensity histograms and patients per class of this site&apos;s {n} training patients, with Gaussian noise (multiplier {noise:g}) and masked, so the coordinator sees only the sum over the sites. It raises their ε from {before:.2f} to at most {after:.2f}. If the round was already published, nothing is sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="155"/>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="155"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="164"/>
        <source>Nothing was sent; no privacy budget was spent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="171"/>
        <source>taking part in the federation&apos;s statistics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/statistics_panel.py" line="178"/>
        <source>Reading this site&apos;s training images…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StudiesPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="73"/>
        <source>Studies</source>
        <extracomment>The search box never gets narrower than this (it held &quot;Se…&quot; beside the buttons).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="77"/>
        <source>Import DICOM studies from a folder, a DICOMDIR or a zip file. Files stay where they are; MedFed indexes them and never sends them anywhere.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="91"/>
        <source>Import folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="94"/>
        <source>Import zip or DICOMDIR…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="96"/>
        <source>Query PACS…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="101"/>
        <source>Search patient, study, series…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="117"/>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="143"/>
        <source>Modality</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="119"/>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="144"/>
        <source>Label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="121"/>
        <source>Only what the task uses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="123"/>
        <source>Hide patients with no series of the task&apos;s modality that its series filter accepts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="131"/>
        <source>Cancel import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="143"/>
        <source>Patient / study / series</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="143"/>
        <source>Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="144"/>
        <source>Images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="144"/>
        <source>Split</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="173"/>
        <source>Last import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="175"/>
        <source>No import in this session yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="178"/>
        <source>File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="178"/>
        <source>Why it was skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="184"/>
        <source>Skipped files and non-image objects:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="203"/>
        <source>Choose a folder of DICOM files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="210"/>
        <source>Choose zip archives or DICOMDIR files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="212"/>
        <source>DICOM sources (*.zip DICOMDIR *.dcm);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="229"/>
        <source>An import is already running; wait for it or cancel it first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="231"/>
        <source>importing studies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="238"/>
        <source>Looking for DICOM files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="244"/>
        <source>Importing studies…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="251"/>
        <source>Stopping after the current batch…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="256"/>
        <source>{done} of {total} files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="264"/>
        <source>{images} images imported ({patients} new patients, {studies} new studies, {series} new series) from {files} files; {skipped} skipped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="271"/>
        <source>The import was cancelled; what was imported before is kept. Import the same folder again to finish.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="288"/>
        <source>mask not stored: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="294"/>
        <source>not an image ({kind}); listed, not imported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="339"/>
        <source>All modalities</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="340"/>
        <source>All labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="346"/>
        <source>{patients} patients, {studies} studies, {images} images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="368"/>
        <source>Unlabelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/studies_page.py" line="441"/>
        <source>drawing thumbnails</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SyntheticSamplesBox</name>
    <message>
        <location filename="../../siteapp/ui/widgets/synthetic_samples.py" line="50"/>
        <source>Synthetic images (the federation&apos;s generator)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/synthetic_samples.py" line="57"/>
        <source>Synthetic images are made by the generator the federation trained with privacy protection. They never leave this computer and are never stored with real studies.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/synthetic_samples.py" line="61"/>
        <source>Show samples</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/synthetic_samples.py" line="72"/>
        <source>drawing synthetic samples</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/synthetic_samples.py" line="79"/>
        <source>No synthetic samples to show: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/synthetic_samples.py" line="89"/>
        <source>real</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/synthetic_samples.py" line="89"/>
        <source>synthetic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/synthetic_samples.py" line="100"/>
        <source>Left: real training images of this site. Right: synthetic images from the generator after round %1. Judge whether they look like the real ones.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TagPanel</name>
    <message>
        <location filename="../../siteapp/ui/widgets/tag_panel.py" line="31"/>
        <source>Filter tags (name or number)…</source>
        <extracomment>Values longer than this are cut in the panel (the file is unchanged). Nested sequences deeper than this are summarised, not expanded.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/tag_panel.py" line="36"/>
        <source>Tag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/tag_panel.py" line="36"/>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/tag_panel.py" line="36"/>
        <source>VR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/tag_panel.py" line="36"/>
        <source>Value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/tag_panel.py" line="60"/>
        <source>Cannot read this file&apos;s header</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/tag_panel.py" line="75"/>
        <source>{n} item(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/widgets/tag_panel.py" line="78"/>
        <source>Item {n}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ViewerPage</name>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="71"/>
        <source>Viewer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="75"/>
        <source>Wheel or arrow keys: slices. Left drag: window/level. Right or middle drag: pan. Ctrl+wheel or +/-: zoom. Keys 1-9: window presets. F: fit. Masks: D draw, E erase, M show/hide, Ctrl+Z undo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="89"/>
        <source>Series</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="153"/>
        <source>mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="180"/>
        <source>Unsaved mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="181"/>
        <source>The mask of this series has changes that are not saved. Open the other series and discard them?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="183"/>
        <source>Discard changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="183"/>
        <source>Keep editing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="213"/>
        <source>opening the series</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="250"/>
        <source>{n} image(s) of this series could not be shown: {first}. The details are in the log file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="282"/>
        <source>Cannot draw: {why}. Type a segment name first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="329"/>
        <source>Masks can be drawn on series whose images are all single-frame and of one size.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="332"/>
        <source>Saving the mask…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="334"/>
        <source>phantom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="334"/>
        <source>imported DICOM SEG</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="335"/>
        <source>imported RTSTRUCT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="335"/>
        <source>drawn here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="338"/>
        <source>No mask yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="340"/>
        <source>Mask ({source}): {masked} of {count} images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="341"/>
        <source>not saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="344"/>
        <source>unsaved changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="359"/>
        <source>saving the mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="369"/>
        <source>Mask saved as DICOM SEG: {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/pages/viewer_page.py" line="378"/>
        <source>the mask drawn on the open series is not saved</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Vocabulary</name>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="24"/>
        <source>no nodule</source>
        <extracomment>Class names of the built-in tasks (resources/tasks/), as lupdate collects them.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="25"/>
        <source>nodule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="26"/>
        <source>normal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="27"/>
        <source>mass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="28"/>
        <source>no mass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="29"/>
        <source>consolidation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="30"/>
        <source>lesion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="31"/>
        <source>background</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="34"/>
        <source>training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="35"/>
        <source>validation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="38"/>
        <source>local-only training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="39"/>
        <source>federation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="40"/>
        <source>federation statistics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="43"/>
        <source>recorded, not finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="44"/>
        <source>completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="45"/>
        <source>cancelled (still counted)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="49"/>
        <source>privacy cost recorded</source>
        <extracomment>A round as this site&apos;s records keep it (``SiteRoundStatus``).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="50"/>
        <source>trained, not sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="51"/>
        <source>update sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="52"/>
        <source>complete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="53"/>
        <source>missed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="57"/>
        <source>Lung nodule on chest CT</source>
        <extracomment>Titles of the built-in tasks, by task name.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="58"/>
        <source>Lung nodule on chest CT, whole volume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="59"/>
        <source>Mass on screening mammogram</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../siteapp/ui/vocabulary.py" line="60"/>
        <source>Finding on a frontal chest radiograph</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
