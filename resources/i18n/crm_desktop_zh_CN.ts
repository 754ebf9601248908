<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name></name>
    <message>
        <source>{field}: {message}</source>
        <translation>{field}：{message}</translation>
    </message>
    <message>
        <source>Something went wrong: {error}</source>
        <translation>出错了：{error}</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>CRM Desktop</source>
        <translation>CRM Desktop</translation>
    </message>
    <message>
        <source>Something unexpected went wrong: {error}

The details were written to the log file {path}. If this keeps happening, send that file to your administrator.</source>
        <translation>发生意外错误：{error}

详细信息已写入日志文件 {path}。如果问题反复出现，请将该文件发送给管理员。</translation>
    </message>
    <message>
        <source>Yes</source>
        <extracomment>Field types whose value is picked from a list of options. A datetime is filtered by whole days; &quot;is&quot; / &quot;is not&quot; an instant would never match.
----------
The record&apos;s id, for selection and actions (``data(index, RecordIdRole)``). A refresh after a change reloads what was on screen, up to this many rows. Changes of these &quot;entities&quot; may change how select values read (labels) or which fields exist. Changes often come in bursts (a bulk transfer emits one signal per record).</extracomment>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>{kind} for {days} days</source>
        <translation>{days} 天{kind}</translation>
    </message>
</context>
<context>
    <name>AboutDialog</name>
    <message>
        <source>About CRM Desktop</source>
        <translation>关于 CRM Desktop</translation>
    </message>
    <message>
        <source>CRM Desktop</source>
        <translation>CRM Desktop</translation>
    </message>
    <message>
        <source>Customers, leads, opportunities, contracts and payments for sales teams; on this computer or on a shared server.</source>
        <translation>面向销售团队的客户、线索、商机、合同与回款管理；数据可保存在本机或共享服务器上。</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Shared server</source>
        <translation>共享服务器</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <source>Qt</source>
        <translation>Qt</translation>
    </message>
    <message>
        <source>Python</source>
        <translation>Python</translation>
    </message>
    <message>
        <source>System</source>
        <translation>操作系统</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>许可</translation>
    </message>
    <message>
        <source>Proprietary software: licensed to your company for its own use. All rights reserved.</source>
        <translation>专有软件：授权贵公司内部使用。保留所有权利。</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy these facts, e.g. for a message to your administrator</source>
        <translation>复制以上信息，例如发给管理员</translation>
    </message>
</context>
<context>
    <name>ActionCard</name>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>ActionList</name>
    <message>
        <source>Add action</source>
        <translation>添加动作</translation>
    </message>
    <message>
        <source>Action {n}: {message}</source>
        <translation>动作 {n}：{message}</translation>
    </message>
</context>
<context>
    <name>ActivitiesTab</name>
    <message>
        <source>Tasks</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Calendar</source>
        <translation>日程</translation>
    </message>
    <message>
        <source>Work logs</source>
        <translation>日志</translation>
    </message>
</context>
<context>
    <name>ActivityDialog</name>
    <message>
        <source>Save</source>
        <extracomment>Where &quot;now&quot; comes from: tests inject a fixed clock (the screens never read the time themselves).</extracomment>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ActivityTimelineTab</name>
    <message>
        <source>Open</source>
        <translation>未完成</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>审批中</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>已通过</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <source>Withdrawn</source>
        <translation>已撤回</translation>
    </message>
    <message>
        <source>All activities</source>
        <translation>全部活动</translation>
    </message>
    <message>
        <source>New task</source>
        <translation>新建任务</translation>
    </message>
    <message>
        <source>New event</source>
        <translation>新建日程</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>By</source>
        <translation>记录人</translation>
    </message>
    <message>
        <source>Activities: {n}</source>
        <translation>活动：{n}</translation>
    </message>
</context>
<context>
    <name>AddFollowUpDialog</name>
    <message>
        <source>Add follow-up</source>
        <translation>添加跟进记录</translation>
    </message>
    <message>
        <source>What was discussed, what was agreed, what comes next</source>
        <translation>沟通了什么、达成了什么、下一步做什么</translation>
    </message>
    <message>
        <source>Remind me to contact again</source>
        <translation>提醒我再次联系</translation>
    </message>
    <message>
        <source>Add to my schedule</source>
        <translation>加入我的日程</translation>
    </message>
    <message>
        <source>Attach files…</source>
        <translation>添加附件…</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>跟进方式</translation>
    </message>
    <message>
        <source>Content *</source>
        <translation>跟进内容 *</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>跟进时间</translation>
    </message>
    <message>
        <source>Next contact</source>
        <translation>下次联系时间</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>附件</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>添加附件</translation>
    </message>
    <message>
        <source>Write what happened.</source>
        <translation>请填写跟进内容。</translation>
    </message>
    <message>
        <source>“{name}” is larger than {limit} MB and cannot be attached.</source>
        <translation>“{name}”超过 {limit} MB，无法添加为附件。</translation>
    </message>
    <message>
        <source>The follow-up was saved, but the files were not attached: {error}</source>
        <translation>跟进记录已保存，但附件未能添加：{error}</translation>
    </message>
</context>
<context>
    <name>AddTeamEditor</name>
    <message>
        <source>Read only</source>
        <translation>只读</translation>
    </message>
    <message>
        <source>Read and write</source>
        <translation>读写</translation>
    </message>
    <message>
        <source>Users:</source>
        <translation>员工：</translation>
    </message>
    <message>
        <source>Access:</source>
        <translation>权限：</translation>
    </message>
    <message>
        <source>Choose at least one user.</source>
        <translation>请至少选择一名员工。</translation>
    </message>
</context>
<context>
    <name>AdminArea</name>
    <message>
        <source>Departments</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Field permissions</source>
        <translation>字段权限</translation>
    </message>
    <message>
        <source>Public pools</source>
        <translation>公海设置</translation>
    </message>
    <message>
        <source>Custom fields</source>
        <translation>自定义字段</translation>
    </message>
    <message>
        <source>Dictionaries</source>
        <translation>数据字典</translation>
    </message>
    <message>
        <source>Record settings</source>
        <translation>记录设置</translation>
    </message>
    <message>
        <source>Automation</source>
        <translation>自动化</translation>
    </message>
    <message>
        <source>Approval flows</source>
        <translation>审批流</translation>
    </message>
    <message>
        <source>Stage groups</source>
        <translation>阶段组</translation>
    </message>
    <message>
        <source>Execution stages</source>
        <translation>执行阶段</translation>
    </message>
    <message>
        <source>Number rules</source>
        <translation>编号规则</translation>
    </message>
    <message>
        <source>Print templates</source>
        <translation>打印模板</translation>
    </message>
    <message>
        <source>Sales targets</source>
        <translation>业绩目标</translation>
    </message>
    <message>
        <source>Your roles do not include any administration permission.</source>
        <translation>您的角色没有任何系统管理权限。</translation>
    </message>
</context>
<context>
    <name>AgendaView</name>
    <message>
        <source>Day</source>
        <extracomment>Dragging snaps to this many minutes. A press this close to a chip&apos;s bottom edge resizes it (its end moves) instead of moving it.</extracomment>
        <translation>日期</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>All day</source>
        <translation>全天</translation>
    </message>
</context>
<context>
    <name>ApprovalCard</name>
    <message>
        <source>Round {n}</source>
        <translation>第 {n} 轮</translation>
    </message>
    <message>
        <source>Submitted by {name} · {time}</source>
        <translation>{name} 提交于 {time}</translation>
    </message>
    <message>
        <source>Finished {time}</source>
        <translation>结束于 {time}</translation>
    </message>
    <message>
        <source>Current node: {node}</source>
        <translation>当前节点：{node}</translation>
    </message>
    <message>
        <source>Submitted form</source>
        <translation>提交的表单</translation>
    </message>
    <message>
        <source>Approval nodes</source>
        <translation>审批节点</translation>
    </message>
    <message>
        <source>History</source>
        <translation>审批记录</translation>
    </message>
    <message>
        <source>Approve…</source>
        <translation>同意…</translation>
    </message>
    <message>
        <source>Reject…</source>
        <translation>驳回…</translation>
    </message>
    <message>
        <source>Withdraw</source>
        <translation>撤回</translation>
    </message>
    <message>
        <source>Resubmit</source>
        <translation>重新提交</translation>
    </message>
    <message>
        <source>Submit again with the record as it is now</source>
        <translation>按记录当前的内容重新提交</translation>
    </message>
    <message>
        <source>No approval node applied.</source>
        <translation>没有适用的审批节点。</translation>
    </message>
    <message>
        <source>not reached yet</source>
        <translation>尚未到达</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>已同意</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <source>deciding</source>
        <translation>审批中</translation>
    </message>
    <message>
        <source>waiting for their turn</source>
        <translation>尚未轮到</translation>
    </message>
    <message>
        <source>no longer needed</source>
        <translation>无需处理</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>审批意见</translation>
    </message>
    <message>
        <source>round {n}</source>
        <translation>第 {n} 轮</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
</context>
<context>
    <name>ApprovalFlowsPage</name>
    <message>
        <source>Add the customer registration example</source>
        <translation>添加客户报备示例</translation>
    </message>
    <message>
        <source>Customers wait for approval when created: those in 福建 go to the role 福建事业部负责人, the others to 销售总监 (both roles are created when missing).</source>
        <translation>新建客户需经审批：福建的客户交由“福建事业部负责人”角色审批，其他客户交由“销售总监”审批（这两个角色不存在时将自动创建）。</translation>
    </message>
    <message>
        <source>A flow can hold new records until they are approved, hold a status change until it is approved, or be started by hand or by an automation rule. Untick a flow to pause it.</source>
        <translation>审批流可以让新建的记录或状态变更在审批通过前暂不生效，也可以手动发起或由自动化规则发起。取消勾选即可暂停审批流。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>模块</translation>
    </message>
    <message>
        <source>Approval needed for</source>
        <translation>需审批的操作</translation>
    </message>
    <message>
        <source>Branches</source>
        <translation>分支</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>已启用</translation>
    </message>
    <message>
        <source>Approval flows</source>
        <translation>审批流</translation>
    </message>
    <message>
        <source>any</source>
        <translation>任意</translation>
    </message>
    <message>
        <source>Approval flow “{name}” saved.</source>
        <translation>审批流“{name}”已保存。</translation>
    </message>
    <message>
        <source>Delete approval flow</source>
        <translation>删除审批流</translation>
    </message>
    <message>
        <source>Delete the approval flow “{name}”? The approvals started from it keep their history.</source>
        <translation>确定删除审批流“{name}”？由其发起的审批将保留审批记录。</translation>
    </message>
    <message>
        <source>Added the approval flow “{name}”.</source>
        <translation>已添加审批流“{name}”。</translation>
    </message>
</context>
<context>
    <name>ApprovalsTab</name>
    <message>
        <source>Submit for approval…</source>
        <translation>提交审批…</translation>
    </message>
    <message>
        <source>No approvals for this record yet.</source>
        <translation>此记录暂无审批。</translation>
    </message>
    <message>
        <source>Approvals: {n}</source>
        <translation>共 {n} 条审批</translation>
    </message>
    <message>
        <source>Submitted for approval.</source>
        <translation>已提交审批。</translation>
    </message>
    <message>
        <source>You approved it.</source>
        <translation>您已同意。</translation>
    </message>
    <message>
        <source>You rejected it.</source>
        <translation>您已驳回。</translation>
    </message>
    <message>
        <source>Approval withdrawn.</source>
        <translation>审批已撤回。</translation>
    </message>
    <message>
        <source>Withdraw this approval? The approvers will no longer see it.</source>
        <translation>确定撤回此审批？撤回后审批人将不再看到它。</translation>
    </message>
    <message>
        <source>Submitted again.</source>
        <translation>已重新提交。</translation>
    </message>
</context>
<context>
    <name>AssignDialog</name>
    <message>
        <source>Assign customers</source>
        <translation>分配客户</translation>
    </message>
    <message>
        <source>Assign to:</source>
        <translation>分配给：</translation>
    </message>
    <message>
        <source>Assign</source>
        <translation>分配</translation>
    </message>
    <message>
        <source>Selected customers: {n}. Choose the user who will own them; the pool&apos;s claim limits do not apply.</source>
        <translation>已选中 {n} 个客户。请选择新的负责人；分配不受公海领取限制。</translation>
    </message>
</context>
<context>
    <name>AssignOwnerEditor</name>
    <message>
        <source>One user</source>
        <translation>指定员工</translation>
    </message>
    <message>
        <source>In turn among these users</source>
        <translation>在以下员工中轮流分配</translation>
    </message>
    <message>
        <source>Give to:</source>
        <translation>分配给：</translation>
    </message>
    <message>
        <source>New owner:</source>
        <translation>新负责人：</translation>
    </message>
    <message>
        <source>Users:</source>
        <translation>员工：</translation>
    </message>
    <message>
        <source>Choose at least one user.</source>
        <translation>请至少选择一名员工。</translation>
    </message>
    <message>
        <source>Choose the new owner.</source>
        <translation>请选择新负责人。</translation>
    </message>
</context>
<context>
    <name>AttachmentEditor</name>
    <message>
        <source>Add files in the Attachments tab of the record&apos;s detail page.</source>
        <translation>请在记录详情页的“附件”标签页中添加文件。</translation>
    </message>
    <message>
        <source>Attachment #{id}</source>
        <translation>附件 #{id}</translation>
    </message>
</context>
<context>
    <name>AttachmentsTab</name>
    <message>
        <source>Name</source>
        <translation>文件名</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Uploaded by</source>
        <translation>上传人</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>上传时间</translation>
    </message>
    <message>
        <source>Add files…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <source>Files up to {limit} MB each.</source>
        <extracomment>Hands a local file to the system&apos;s application; replaced in tests. &quot;Add files…&quot;: the list&apos;s &quot;New&quot; button (it has a ``new_label``).</extracomment>
        <translation>单个文件不超过 {limit} MB。</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Add files</source>
        <translation>添加文件</translation>
    </message>
    <message>
        <source>“{name}” is larger than {limit} MB and was not added. Keep large files on a file server and put a link in the remark.</source>
        <translation>“{name}”超过 {limit} MB，未添加。大文件请放在文件服务器上，并在备注中附上链接。</translation>
    </message>
    <message>
        <source>Files added: {n}</source>
        <translation>已添加文件：{n} 个</translation>
    </message>
    <message>
        <source>No application on this computer opens “{name}”. It was saved as {path}.</source>
        <translation>本机没有可以打开“{name}”的程序。文件已保存为 {path}。</translation>
    </message>
    <message>
        <source>Remove the attachment “{name}”?</source>
        <translation>确定删除附件“{name}”？</translation>
    </message>
    <message>
        <source>Attachment removed.</source>
        <translation>附件已删除。</translation>
    </message>
</context>
<context>
    <name>AutomationRulesPage</name>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Try on a record…</source>
        <translation>试运行…</translation>
    </message>
    <message>
        <source>Run log</source>
        <translation>执行日志</translation>
    </message>
    <message>
        <source>Records:</source>
        <translation>模块：</translation>
    </message>
    <message>
        <source>Rules run in this order after a record is saved; a rule&apos;s changes are part of the same save. Untick a rule to pause it.</source>
        <translation>记录保存后，规则按此顺序执行；规则所做的修改与本次保存一同生效。取消勾选即可暂停规则。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>When</source>
        <translation>触发事件</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>已启用</translation>
    </message>
    <message>
        <source>If</source>
        <translation>条件</translation>
    </message>
    <message>
        <source>Then</source>
        <translation>动作</translation>
    </message>
    <message>
        <source>Automation rules</source>
        <translation>自动化规则</translation>
    </message>
    <message>
        <source>Rule “{name}” saved.</source>
        <translation>规则“{name}”已保存。</translation>
    </message>
    <message>
        <source>Delete rule</source>
        <translation>删除规则</translation>
    </message>
    <message>
        <source>Delete the rule “{name}”? Its run log is kept.</source>
        <translation>确定删除规则“{name}”？其执行日志将保留。</translation>
    </message>
</context>
<context>
    <name>BoardCard</name>
    <message>
        <source>Close {date}</source>
        <extracomment>Header colours of the closed columns. What the last drag of this card ended in (None: never dragged).</extracomment>
        <translation>预计 {date} 成交</translation>
    </message>
</context>
<context>
    <name>BoardColumn</name>
    <message>
        <source>Show more</source>
        <translation>显示更多</translation>
    </message>
</context>
<context>
    <name>BooleanEditor</name>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
</context>
<context>
    <name>BranchEditor</name>
    <message>
        <source>e.g. Customers in Fujian</source>
        <translation>例如：福建的客户</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Departments (and below)</source>
        <translation>部门（含下级部门）</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Add node</source>
        <translation>添加节点</translation>
    </message>
    <message>
        <source>Branch name:</source>
        <translation>分支名称：</translation>
    </message>
    <message>
        <source>Taken when:</source>
        <translation>进入条件：</translation>
    </message>
    <message>
        <source>Only when the submitter is one of these users, in one of these departments or has one of these roles. Nothing ticked: anyone.</source>
        <translation>仅当提交人是以下员工之一、属于以下部门之一或拥有以下角色之一时适用。均未勾选：任何人均可。</translation>
    </message>
    <message>
        <source>Submitted by:</source>
        <translation>提交人：</translation>
    </message>
    <message>
        <source>Nodes:</source>
        <translation>节点：</translation>
    </message>
    <message>
        <source>No condition: every record can take this branch.</source>
        <translation>无条件：所有记录均可进入此分支。</translation>
    </message>
    <message>
        <source>Approval {n}</source>
        <translation>审批 {n}</translation>
    </message>
</context>
<context>
    <name>CalendarPage</name>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>月</translation>
    </message>
    <message>
        <source>Week</source>
        <translation>周</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日</translation>
    </message>
    <message>
        <source>Agenda</source>
        <translation>列表</translation>
    </message>
    <message>
        <source>My calendar</source>
        <translation>我的日程</translation>
    </message>
    <message>
        <source>New event</source>
        <translation>新建日程</translation>
    </message>
    <message>
        <source>Export .ics</source>
        <translation>导出 .ics</translation>
    </message>
    <message>
        <source>Export to a file…</source>
        <translation>导出到文件…</translation>
    </message>
    <message>
        <source>Keep up to date in a folder…</source>
        <translation>在文件夹中保持同步…</translation>
    </message>
    <message>
        <source>Stop keeping it up to date</source>
        <translation>停止同步</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>{year}-{month:02d}</source>
        <translation>{year}年{month:02d}月</translation>
    </message>
    <message>
        <source>{n} items</source>
        <translation>{n} 项</translation>
    </message>
    <message>
        <source>Repeating event</source>
        <translation>重复日程</translation>
    </message>
    <message>
        <source>Move only this event, this and the following ones, or all of them?</source>
        <translation>只移动此日程、此日程及之后的，还是所有日程？</translation>
    </message>
    <message>
        <source>This event</source>
        <translation>仅此日程</translation>
    </message>
    <message>
        <source>This and following</source>
        <translation>此日程及之后</translation>
    </message>
    <message>
        <source>All events</source>
        <translation>所有日程</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Export my calendar</source>
        <translation>导出我的日程</translation>
    </message>
    <message>
        <source>iCalendar (*.ics)</source>
        <translation>iCalendar 文件 (*.ics)</translation>
    </message>
    <message>
        <source>Keep my calendar in this folder</source>
        <translation>将我的日历保存在此文件夹</translation>
    </message>
    <message>
        <source>Calendar file updated: {path}</source>
        <translation>日历文件已更新：{path}</translation>
    </message>
    <message>
        <source>{n} events written to {path}</source>
        <translation>已将 {n} 个日程写入 {path}</translation>
    </message>
</context>
<context>
    <name>CategoryDialog</name>
    <message>
        <source>New category</source>
        <translation>新建分类</translation>
    </message>
    <message>
        <source>Rename category</source>
        <translation>重命名分类</translation>
    </message>
    <message>
        <source>Move category</source>
        <translation>移动分类</translation>
    </message>
    <message>
        <source>(top level)</source>
        <translation>（顶级分类）</translation>
    </message>
    <message>
        <source>Move “{name}” under</source>
        <translation>将“{name}”移至</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Under “{name}”</source>
        <translation>“{name}”的子分类</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <source>At least 8 characters with letters and digits</source>
        <translation>至少 8 位，须包含字母和数字</translation>
    </message>
    <message>
        <source>Current password:</source>
        <translation>当前密码：</translation>
    </message>
    <message>
        <source>New password:</source>
        <translation>新密码：</translation>
    </message>
    <message>
        <source>Repeat new password:</source>
        <translation>确认新密码：</translation>
    </message>
    <message>
        <source>Enter your current password.</source>
        <translation>请输入当前密码。</translation>
    </message>
    <message>
        <source>The two new passwords are not the same.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
</context>
<context>
    <name>ChooseApproversDialog</name>
    <message>
        <source>Choose the approver</source>
        <extracomment>The submit call for a choice: {node index: [user ids]}, or None when no node asks.</extracomment>
        <translation>选择审批人</translation>
    </message>
    <message>
        <source>This approval flow asks you to choose who approves it.</source>
        <translation>此审批流程需要由您选择审批人。</translation>
    </message>
    <message>
        <source>Tick each person who approves this step.</source>
        <extracomment>The search box above each list of several approvers.</extracomment>
        <translation>勾选审批此步骤的每一位人员。</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>请选择…</translation>
    </message>
    <message>
        <source>Approver</source>
        <translation>审批人</translation>
    </message>
    <message>
        <source>All of them must approve.</source>
        <translation>需全部审批人同意（会签）。</translation>
    </message>
    <message>
        <source>The first of them to decide counts.</source>
        <translation>以其中第一位审批人的意见为准（或签）。</translation>
    </message>
    <message>
        <source>Submit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Filter by name or department</source>
        <translation>按姓名或部门筛选</translation>
    </message>
    <message>
        <source>Choose who approves this step.</source>
        <translation>请选择此步骤的审批人。</translation>
    </message>
</context>
<context>
    <name>ColumnChooser</name>
    <message>
        <source>Columns</source>
        <extracomment>List column → the schema field it shows (the list shows a name where the field holds an id). Header drags come in bursts; the widths are saved once the user stops. Columns the service cannot sort by.</extracomment>
        <translation>列设置</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Reset to default</source>
        <translation>恢复默认</translation>
    </message>
    <message>
        <source>Checked fields are shown as columns, in this order.</source>
        <translation>勾选的字段将按此顺序显示为列。</translation>
    </message>
</context>
<context>
    <name>ColumnControl</name>
    <message>
        <source>Columns…</source>
        <translation>列设置…</translation>
    </message>
    <message>
        <source>Choose and order the list&apos;s columns.</source>
        <translation>选择列表显示的列并调整顺序。</translation>
    </message>
</context>
<context>
    <name>CompletionPanel</name>
    <message>
        <source>Achieved {achieved} · the targets of colleagues are not shown to you</source>
        <translation>已完成 {achieved} · 同事的目标不对你显示</translation>
    </message>
    <message>
        <source>Achieved {achieved} · no target set</source>
        <translation>已完成 {achieved} · 未设目标</translation>
    </message>
    <message>
        <source>Target {target} · achieved {achieved} · gap {gap} · expected by today {pace}</source>
        <translation>目标 {target} · 已完成 {achieved} · 差额 {gap} · 按进度应完成 {pace}</translation>
    </message>
    <message>
        <source>Weighted pipeline closing in the period: {weighted} ({count} opportunities, {amount} in all)</source>
        <translation>本期预计成交的加权商机：{weighted}（{count} 个商机，共 {amount}）</translation>
    </message>
    <message>
        <source>covers {share} of the gap</source>
        <translation>可覆盖差额的 {share}</translation>
    </message>
</context>
<context>
    <name>ConditionEditor</name>
    <message>
        <source>All groups must hold</source>
        <translation>满足所有条件组</translation>
    </message>
    <message>
        <source>Any group is enough</source>
        <translation>满足任一条件组即可</translation>
    </message>
    <message>
        <source>No condition: the rule runs on every such event.</source>
        <translation>无条件：每次发生该事件时都执行规则。</translation>
    </message>
    <message>
        <source>Add a group</source>
        <translation>添加条件组</translation>
    </message>
    <message>
        <source>Add another group</source>
        <translation>再添加一个条件组</translation>
    </message>
    <message>
        <source>Add a condition</source>
        <translation>添加条件</translation>
    </message>
</context>
<context>
    <name>ConditionGroup</name>
    <message>
        <source>All of these hold</source>
        <translation>满足以下所有条件</translation>
    </message>
    <message>
        <source>Any of these holds</source>
        <translation>满足以下任一条件</translation>
    </message>
    <message>
        <source>Add condition</source>
        <translation>添加条件</translation>
    </message>
    <message>
        <source>Remove group</source>
        <translation>删除条件组</translation>
    </message>
    <message>
        <source>Kept as they are (this editor cannot change them): {conditions}</source>
        <extracomment>Conditions on fields this editor does not offer: kept as they are, shown read-only.</extracomment>
        <translation>以下条件保持不变（此编辑器无法修改）：{conditions}</translation>
    </message>
    <message>
        <source>Condition {n}: {message}</source>
        <translation>条件 {n}：{message}</translation>
    </message>
</context>
<context>
    <name>ConditionRow</name>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Values separated by commas</source>
        <translation>多个值用逗号分隔</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>数字</translation>
    </message>
    <message>
        <source>Choose or type at least one value.</source>
        <translation>请选择或输入至少一个值。</translation>
    </message>
    <message>
        <source>Enter a value.</source>
        <translation>请输入值。</translation>
    </message>
    <message>
        <source>“{value}” is not a number.</source>
        <translation>“{value}”不是数字。</translation>
    </message>
</context>
<context>
    <name>ConflictDialog</name>
    <message>
        <source>Someone else saved this record</source>
        <translation>该记录已被他人保存</translation>
    </message>
    <message>
        <source>Someone else saved this record while you were editing it. Nothing of yours has been saved yet. For each field, choose which value to keep, then save the merged record.</source>
        <translation>您编辑期间，其他人保存了该记录。您的修改尚未保存。请为每个字段选择要保留的值，然后保存合并后的记录。</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Original</source>
        <translation>原值</translation>
    </message>
    <message>
        <source>Keep mine</source>
        <translation>保留我的</translation>
    </message>
    <message>
        <source>Take theirs</source>
        <translation>采用对方的</translation>
    </message>
    <message>
        <source>Save merged</source>
        <translation>保存合并结果</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <source>Both you and the other person changed this field.</source>
        <translation>您和对方都修改了此字段。</translation>
    </message>
    <message>
        <source>Choose a value for each field in bold ({n} left).</source>
        <translation>请为每个粗体字段选择一个值（还剩 {n} 个）。</translation>
    </message>
</context>
<context>
    <name>ConnectionDialog</name>
    <message>
        <source>Shared server</source>
        <translation>共享服务器</translation>
    </message>
    <message>
        <source>Add a shared server</source>
        <translation>添加共享服务器</translation>
    </message>
    <message>
        <source>A team shares one PostgreSQL database on the office network. Ask your administrator for these settings.</source>
        <translation>团队通过办公网络共用一个 PostgreSQL 数据库。请向管理员索取以下设置。</translation>
    </message>
    <message>
        <source>e.g. Head office</source>
        <translation>例如：总部</translation>
    </message>
    <message>
        <source>Server name or IP address</source>
        <translation>服务器名称或 IP 地址</translation>
    </message>
    <message>
        <source>e.g. crm_login</source>
        <translation>例如 crm_login</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>服务器：</translation>
    </message>
    <message>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <source>Database:</source>
        <translation>数据库：</translation>
    </message>
    <message>
        <source>User name:</source>
        <translation>用户名：</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <source>Remember the password in this computer&apos;s password store</source>
        <translation>在本机的系统密钥环中记住密码</translation>
    </message>
    <message>
        <source>On a server in secure mode the user name is the database&apos;s name followed by _login: each person then works with their own database account and the server itself limits what they can see. Any other account (a shared one) gives this computer the whole database: only the app limits what each person sees.</source>
        <translation>服务器启用安全模式时，用户名为数据库名加 _login：每个人都以自己的数据库账号工作，由服务器本身限定其可见的数据。使用其他（共用）账号时，这台电脑可访问整个数据库，只由本软件限定每个人能看到什么。</translation>
    </message>
    <message>
        <source>This computer has no password store (keyring), so the password cannot be remembered: you will be asked for it at each login.</source>
        <translation>本机没有系统密钥环，无法记住密码：每次登录时都需要输入。</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>Remove server</source>
        <translation>删除服务器</translation>
    </message>
    <message>
        <source>Required.</source>
        <translation>必填。</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>The server answered: the settings work.</source>
        <translation>服务器已响应：设置可用。</translation>
    </message>
</context>
<context>
    <name>ConnectionStatus</name>
    <message>
        <source>Connected to the server again.</source>
        <translation>已重新连接到服务器。</translation>
    </message>
    <message>
        <source>Server unreachable — trying again in {seconds} s</source>
        <translation>无法连接服务器 — {seconds} 秒后重试</translation>
    </message>
    <message>
        <source>Open forms keep what you typed; nothing can be saved until the connection is back.</source>
        <translation>已打开的表单会保留您输入的内容；连接恢复前无法保存。</translation>
    </message>
</context>
<context>
    <name>ContactDialog</name>
    <message>
        <source>Type to search customers</source>
        <translation>输入以搜索客户</translation>
    </message>
    <message>
        <source>Choose a customer from the list.</source>
        <translation>请从列表中选择客户。</translation>
    </message>
</context>
<context>
    <name>ContactsTab</name>
    <message>
        <source>Set as primary</source>
        <translation>设为首要联系人</translation>
    </message>
    <message>
        <source>Make the selected contact its customer&apos;s primary contact.</source>
        <translation>将选中的联系人设为其客户的首要联系人。</translation>
    </message>
    <message>
        <source>Primary</source>
        <translation>首要</translation>
    </message>
    <message>
        <source>{n} contact</source>
        <translation>共 {n} 个联系人</translation>
    </message>
    <message>
        <source>{n} contacts</source>
        <translation>共 {n} 个联系人</translation>
    </message>
    <message>
        <source>Search name, phone or e-mail</source>
        <translation>搜索姓名、电话或邮箱</translation>
    </message>
    <message>
        <source>New contact</source>
        <translation>新建联系人</translation>
    </message>
    <message>
        <source>Edit contact</source>
        <translation>编辑联系人</translation>
    </message>
    <message>
        <source>Move {n} selected contacts to the recycle bin? They can be restored from there.</source>
        <translation>将选中的 {n} 个联系人移入回收站？之后可从回收站恢复。</translation>
    </message>
    <message>
        <source>Recycle bin: contacts</source>
        <translation>回收站：联系人</translation>
    </message>
    <message>
        <source>Operation log: {name}</source>
        <translation>操作记录：{name}</translation>
    </message>
    <message>
        <source>“{name}” is now the primary contact.</source>
        <translation>“{name}”已设为首要联系人。</translation>
    </message>
</context>
<context>
    <name>ContractActions</name>
    <message>
        <source>No approval flow applies to it: “{name}” is approved without an approval.</source>
        <extracomment>Approval states from which a contract can be submitted (the service checks again).</extracomment>
        <translation>没有适用的审批流：“{name}”已直接通过，无需审批。</translation>
    </message>
    <message>
        <source>“{name}” was submitted for approval.</source>
        <translation>“{name}”已提交审批。</translation>
    </message>
    <message>
        <source>“{name}” was withdrawn from approval: it can be edited again.</source>
        <translation>“{name}”已撤回审批，可重新编辑。</translation>
    </message>
    <message>
        <source>“{name}” is void.</source>
        <translation>“{name}”已作废。</translation>
    </message>
    <message>
        <source>“{name}” is now “{status}”.</source>
        <translation>“{name}”的状态已变为“{status}”。</translation>
    </message>
    <message>
        <source>Moving “{name}” to “{status}” was submitted for approval; the status changes once it is approved.</source>
        <translation>将“{name}”变更为“{status}”已提交审批，审批通过后状态才会变更。</translation>
    </message>
</context>
<context>
    <name>ContractDialog</name>
    <message>
        <source>Product lines</source>
        <extracomment>The empty choice of the opportunity and signer lists (filled once a customer is chosen). True while the amount shows the lines&apos; total (the user typed none).</extracomment>
        <translation>产品明细</translation>
    </message>
    <message>
        <source>Follows the lines: {total}</source>
        <translation>按产品明细自动计算：{total}</translation>
    </message>
</context>
<context>
    <name>ContractHeaderBar</name>
    <message>
        <source>Submit for approval</source>
        <translation>提交审批</translation>
    </message>
    <message>
        <source>Withdraw</source>
        <translation>撤回</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>作废</translation>
    </message>
    <message>
        <source>Execution status</source>
        <translation>执行状态</translation>
    </message>
    <message>
        <source>Void “{name}”? It stays on record but takes no more payments.</source>
        <extracomment>Print… / Export PDF… (print_buttons.py).</extracomment>
        <translation>确定作废“{name}”？作废后合同仍会保留，但不能再登记回款。</translation>
    </message>
</context>
<context>
    <name>ContractPaymentsTab</name>
    <message>
        <source>New payment…</source>
        <translation>新建回款…</translation>
    </message>
    <message>
        <source>Submit for approval</source>
        <translation>提交审批</translation>
    </message>
    <message>
        <source>Payments are recorded on approved contracts.</source>
        <translation>只能在已审批通过的合同上登记回款。</translation>
    </message>
    <message>
        <source>New payment</source>
        <translation>新建回款</translation>
    </message>
    <message>
        <source>Payment saved: submit it for approval.</source>
        <translation>回款已保存，请提交审批。</translation>
    </message>
</context>
<context>
    <name>ContractsTab</name>
    <message>
        <source>Submit</source>
        <comment>for approval</comment>
        <translation>提交审批</translation>
    </message>
    <message>
        <source>Submit for approval</source>
        <translation>提交审批</translation>
    </message>
    <message>
        <source>Withdraw</source>
        <translation>撤回</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>作废</translation>
    </message>
    <message>
        <source>Execution status</source>
        <translation>执行状态</translation>
    </message>
    <message>
        <source>{n} contract</source>
        <translation>共 {n} 个合同</translation>
    </message>
    <message>
        <source>{n} contracts</source>
        <translation>共 {n} 个合同</translation>
    </message>
    <message>
        <source>Search number, name or customer</source>
        <translation>搜索合同编号、名称或客户</translation>
    </message>
    <message>
        <source>New contract</source>
        <translation>新建合同</translation>
    </message>
    <message>
        <source>Edit contract</source>
        <extracomment>Called with each screen as it is saved (name, widget, whether the renderer resized it to SIZE): the layout check looks at every screen this module renders, by construction. The contract shown on the &quot;contract-detail&quot; screen (lines, plans, a payment, its approval history). The contract the sales director submitted that waits for the administrator (&quot;approval-decision&quot;). The rule on the &quot;admin-rule-related&quot; screen: a contract&apos;s approval updates its customer. The registration shown on the &quot;record-approval&quot; screen: rejected once, resubmitted.</extracomment>
        <translation>编辑合同</translation>
    </message>
    <message>
        <source>Move {n} selected contracts to the recycle bin? They can be restored from there.</source>
        <translation>将选中的 {n} 个合同移入回收站？之后可从回收站恢复。</translation>
    </message>
    <message>
        <source>Recycle bin: contracts</source>
        <translation>回收站：合同</translation>
    </message>
    <message>
        <source>Operation log: {name}</source>
        <translation>操作记录：{name}</translation>
    </message>
    <message>
        <source>Void “{name}”? It stays on record but takes no more payments.</source>
        <translation>确定作废“{name}”？作废后合同仍会保留，但不能再登记回款。</translation>
    </message>
</context>
<context>
    <name>CreateRecordEditor</name>
    <message>
        <source>Add a field</source>
        <translation>添加字段</translation>
    </message>
    <message>
        <source>Create:</source>
        <translation>新建：</translation>
    </message>
    <message>
        <source>Fields:</source>
        <translation>字段：</translation>
    </message>
    <message>
        <source>Choose the record to create.</source>
        <translation>请选择要新建的记录类型。</translation>
    </message>
    <message>
        <source>Fill at least one field of the new record.</source>
        <translation>请至少为新记录填写一个字段。</translation>
    </message>
</context>
<context>
    <name>CreateTaskEditor</name>
    <message>
        <source>e.g. Call {name}</source>
        <translation>例如：回访 {name}</translation>
    </message>
    <message>
        <source>Insert a field into the title…</source>
        <translation>在标题中插入字段…</translation>
    </message>
    <message>
        <source>No due date (the inbox)</source>
        <translation>无截止日期（收件箱）</translation>
    </message>
    <message>
        <source>In a number of days</source>
        <translation>若干天后到期</translation>
    </message>
    <message>
        <source> day(s) after the rule runs</source>
        <translation> 天（规则执行后）</translation>
    </message>
    <message>
        <source>The record&apos;s owner</source>
        <translation>记录负责人</translation>
    </message>
    <message>
        <source>A chosen user</source>
        <translation>指定用户</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <source>Due:</source>
        <translation>截止：</translation>
    </message>
    <message>
        <source>Days:</source>
        <translation>天数：</translation>
    </message>
    <message>
        <source>Priority:</source>
        <translation>优先级：</translation>
    </message>
    <message>
        <source>Assign to:</source>
        <translation>分配给：</translation>
    </message>
    <message>
        <source>User:</source>
        <translation>用户：</translation>
    </message>
    <message>
        <source>Enter the task&apos;s title.</source>
        <translation>请输入任务标题。</translation>
    </message>
    <message>
        <source>Choose who gets the task.</source>
        <translation>请选择任务的负责人。</translation>
    </message>
</context>
<context>
    <name>CustomFieldDialog</name>
    <message>
        <source>Edit field</source>
        <translation>编辑字段</translation>
    </message>
    <message>
        <source>New field</source>
        <translation>新建字段</translation>
    </message>
    <message>
        <source>The type of a saved field cannot change; add a new field instead.</source>
        <translation>已保存的字段不能修改类型；请改为新增字段。</translation>
    </message>
    <message>
        <source>Must be filled in</source>
        <translation>必须填写</translation>
    </message>
    <message>
        <source>No two records may have the same value</source>
        <translation>不同记录的值不能重复</translation>
    </message>
    <message>
        <source>Hidden from every form and list</source>
        <translation>在所有表单和列表中隐藏</translation>
    </message>
    <message>
        <source>Index it: big lists sort and filter by it quickly</source>
        <translation>建立索引：大列表按此字段排序和筛选更快</translation>
    </message>
    <message>
        <source>The database keeps an index of this field&apos;s values. Sorting or filtering a list of many records by it then takes a moment instead of seconds; saving records costs a little more.</source>
        <translation>数据库为此字段的值维护索引。按它排序或筛选大量记录的列表只需片刻而不是几秒；保存记录会稍慢一点。</translation>
    </message>
    <message>
        <source>Shown under the field in forms</source>
        <translation>显示在表单中该字段的下方</translation>
    </message>
    <message>
        <source>Other column titles that import files use, comma-separated</source>
        <translation>导入文件中可能使用的其他列标题，用逗号分隔</translation>
    </message>
    <message>
        <source>New dictionary…</source>
        <translation>新建数据字典…</translation>
    </message>
    <message>
        <source>One option per line</source>
        <translation>每行一个选项</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Type:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>Options from:</source>
        <translation>选项来源：</translation>
    </message>
    <message>
        <source>New dictionary name:</source>
        <translation>新数据字典名称：</translation>
    </message>
    <message>
        <source>Options:</source>
        <translation>选项：</translation>
    </message>
    <message>
        <source>Required:</source>
        <translation>必填：</translation>
    </message>
    <message>
        <source>Unique:</source>
        <translation>唯一：</translation>
    </message>
    <message>
        <source>Default value:</source>
        <translation>默认值：</translation>
    </message>
    <message>
        <source>Help text:</source>
        <translation>提示信息：</translation>
    </message>
    <message>
        <source>Import aliases:</source>
        <translation>导入别名：</translation>
    </message>
    <message>
        <source>Hidden:</source>
        <translation>隐藏：</translation>
    </message>
    <message>
        <source>Index:</source>
        <translation>索引：</translation>
    </message>
</context>
<context>
    <name>CustomFieldsPage</name>
    <message>
        <source>New field</source>
        <translation>新建字段</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Module:</source>
        <translation>模块：</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>Unique</source>
        <translation>唯一</translation>
    </message>
    <message>
        <source>Options from</source>
        <translation>选项来源</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Custom fields</source>
        <translation>自定义字段</translation>
    </message>
    <message>
        <source>Built-in fields (for reference, cannot be changed)</source>
        <translation>系统字段（仅供参考，不可修改）</translation>
    </message>
    <message>
        <source>Fixed list</source>
        <translation>固定选项</translation>
    </message>
    <message>
        <source>Hidden</source>
        <translation>已隐藏</translation>
    </message>
    <message>
        <source>Shown</source>
        <translation>已显示</translation>
    </message>
    <message>
        <source>{status}, indexed</source>
        <translation>{status}，已建索引</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Field “{name}” saved.</source>
        <translation>字段“{name}”已保存。</translation>
    </message>
</context>
<context>
    <name>CustomerActions</name>
    <message>
        <source>More</source>
        <translation>更多</translation>
    </message>
    <message>
        <source>Star, lock or set the deal status of the selected customers.</source>
        <translation>关注、锁定选中的客户，或设置其成交状态。</translation>
    </message>
    <message>
        <source>Star</source>
        <translation>关注</translation>
    </message>
    <message>
        <source>Unstar</source>
        <translation>取消关注</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>A locked customer is never recycled into the public pool.</source>
        <translation>锁定的客户不会被回收到公海。</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Deal status</source>
        <translation>成交状态</translation>
    </message>
    <message>
        <source>Put in public pool…</source>
        <translation>放入公海…</translation>
    </message>
    <message>
        <source>Give up the selected customers: they wait in a pool for colleagues to claim.</source>
        <translation>放弃选中的客户：客户将进入公海，等待同事领取。</translation>
    </message>
    <message>
        <source>Put in the public pool: {n}</source>
        <extracomment>The open put-in-pool dialog (tests).</extracomment>
        <translation>已放入公海：{n} 个</translation>
    </message>
    <message>
        <source>Starred: {n}</source>
        <translation>已关注：{n} 个</translation>
    </message>
    <message>
        <source>Unstarred: {n}</source>
        <translation>已取消关注：{n} 个</translation>
    </message>
    <message>
        <source>Locked: {n}</source>
        <translation>已锁定：{n} 个</translation>
    </message>
    <message>
        <source>Unlocked: {n}</source>
        <translation>已解锁：{n} 个</translation>
    </message>
    <message>
        <source>Deal status set to “{status}”: {n}</source>
        <translation>已将成交状态设为“{status}”：{n} 个</translation>
    </message>
    <message>
        <source>Setting the deal status…</source>
        <translation>正在设置成交状态…</translation>
    </message>
</context>
<context>
    <name>CustomerContactsTab</name>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>职务</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <source>Primary</source>
        <translation>首要</translation>
    </message>
    <message>
        <source>Decision maker</source>
        <translation>关键决策人</translation>
    </message>
    <message>
        <source>New contact</source>
        <extracomment>The customer&apos;s contacts, primary first (the service&apos;s order).</extracomment>
        <translation>新建联系人</translation>
    </message>
    <message>
        <source>Set as primary</source>
        <translation>设为首要联系人</translation>
    </message>
    <message>
        <source>Saved “{name}”.</source>
        <translation>已保存“{name}”。</translation>
    </message>
    <message>
        <source>“{name}” is now the primary contact.</source>
        <translation>“{name}”已设为首要联系人。</translation>
    </message>
</context>
<context>
    <name>CustomerTransferDialog</name>
    <message>
        <source>Also transfer their contacts</source>
        <translation>同时转移其联系人</translation>
    </message>
    <message>
        <source>Every contact of the selected customers gets the new owner too.</source>
        <translation>选中客户的所有联系人也将转给新负责人。</translation>
    </message>
    <message>
        <source>Also transfer their opportunities</source>
        <translation>同时转移其商机</translation>
    </message>
    <message>
        <source>The opportunities of the selected customers get the new owner too.</source>
        <translation>选中客户的商机也将转给新负责人。</translation>
    </message>
    <message>
        <source>Also transfer their contracts</source>
        <translation>同时转移其合同</translation>
    </message>
    <message>
        <source>The contracts of the selected customers get the new owner too.</source>
        <translation>选中客户的合同也将转给新负责人。</translation>
    </message>
</context>
<context>
    <name>CustomersTab</name>
    <message>
        <source>{n} customer</source>
        <translation>共 {n} 个客户</translation>
    </message>
    <message>
        <source>{n} customers</source>
        <translation>共 {n} 个客户</translation>
    </message>
    <message>
        <source>Search name or phone</source>
        <translation>搜索客户名称或电话</translation>
    </message>
    <message>
        <source>New customer</source>
        <translation>新建客户</translation>
    </message>
    <message>
        <source>Edit customer</source>
        <translation>编辑客户</translation>
    </message>
    <message>
        <source>Move {n} selected customers to the recycle bin? They can be restored from there.</source>
        <translation>将选中的 {n} 个客户移入回收站？之后可从回收站恢复。</translation>
    </message>
    <message>
        <source>Recycle bin: customers</source>
        <translation>回收站：客户</translation>
    </message>
    <message>
        <source>Operation log: {name}</source>
        <translation>操作记录：{name}</translation>
    </message>
    <message>
        <source>Transferring…</source>
        <translation>正在转移…</translation>
    </message>
    <message>
        <source>Transferred {customers} customers and {contacts} contacts.</source>
        <translation>已转移 {customers} 个客户和 {contacts} 个联系人。</translation>
    </message>
    <message>
        <source>Carried along: {opportunities} opportunities, {contracts} contracts.</source>
        <translation>一并转移：{opportunities} 个商机，{contracts} 份合同。</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <source>Refresh</source>
        <extracomment>Entities whose change can alter a figure (&quot;*&quot; = everything).</extracomment>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Export picture…</source>
        <translation>导出图片…</translation>
    </message>
    <message>
        <source>Export numbers…</source>
        <translation>导出数据…</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <source>Print the dashboard, or save it as a PDF, from a preview</source>
        <translation>预览后打印仪表盘，或另存为 PDF</translation>
    </message>
    <message>
        <source>Target completion</source>
        <translation>业绩指标</translation>
    </message>
    <message>
        <source>Sales funnel</source>
        <translation>销售漏斗</translation>
    </message>
    <message>
        <source>Sales trend</source>
        <translation>销售趋势</translation>
    </message>
    <message>
        <source>Rankings</source>
        <translation>排行榜</translation>
    </message>
    <message>
        <source>Forgotten customers</source>
        <translation>遗忘提醒</translation>
    </message>
    <message>
        <source>Never followed up: {n}</source>
        <translation>从未跟进：{n}</translation>
    </message>
    <message>
        <source>Over {days} days: {n}</source>
        <translation>超过 {days} 天：{n}</translation>
    </message>
    <message>
        <source>Won</source>
        <translation>赢单</translation>
    </message>
    <message>
        <source>Lost</source>
        <translation>输单</translation>
    </message>
    <message>
        <source>{count} open · {amount} · conversion {conversion}</source>
        <translation>进行中 {count} 个 · {amount} · 转化率 {conversion}</translation>
    </message>
    <message>
        <source>{count} won · {amount}</source>
        <translation>赢单 {count} 个 · {amount}</translation>
    </message>
    <message>
        <source>{count} lost · {amount}</source>
        <translation>输单 {count} 个 · {amount}</translation>
    </message>
    <message>
        <source>Opportunities</source>
        <translation>商机</translation>
    </message>
    <message>
        <source>{amount} · last year {before} · target {target}</source>
        <translation>{amount} · 去年同期 {before} · 目标 {target}</translation>
    </message>
    <message>
        <source>This period</source>
        <translation>本期</translation>
    </message>
    <message>
        <source>A year earlier</source>
        <translation>去年同期</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Numbers exported.</source>
        <translation>数据已导出。</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>仪表盘</translation>
    </message>
    <message>
        <source>Export picture</source>
        <translation>导出图片</translation>
    </message>
    <message>
        <source>PNG picture (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>Export numbers</source>
        <translation>导出数据</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
</context>
<context>
    <name>DateEditor</name>
    <message>
        <source>Tick to enter a date; untick to leave it empty.</source>
        <translation>勾选以填写日期；不勾选则留空。</translation>
    </message>
    <message>
        <source>Has a date</source>
        <translation>填写日期</translation>
    </message>
</context>
<context>
    <name>DecisionDialog</name>
    <message>
        <source>Approve</source>
        <extracomment>Text and background of each instance status (a badge reads at a glance).</extracomment>
        <translation>同意</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>驳回</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>选填</translation>
    </message>
    <message>
        <source>Why is it rejected? The submitter reads this.</source>
        <translation>驳回原因（提交人可见）</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>审批意见</translation>
    </message>
    <message>
        <source>Open the record</source>
        <translation>打开记录</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Submitted by</source>
        <translation>提交人</translation>
    </message>
    <message>
        <source>Flow</source>
        <translation>审批流</translation>
    </message>
</context>
<context>
    <name>DepartmentNameDialog</name>
    <message>
        <source>Add sub-department</source>
        <extracomment>Entities whose change can alter what this page shows (user counts follow users).</extracomment>
        <translation>添加下级部门</translation>
    </message>
    <message>
        <source>Rename department</source>
        <translation>重命名部门</translation>
    </message>
    <message>
        <source>Parent department:</source>
        <translation>上级部门：</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
</context>
<context>
    <name>DepartmentsPage</name>
    <message>
        <source>Add sub-department</source>
        <translation>添加下级部门</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Move…</source>
        <translation>移动…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Departments</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Delete department</source>
        <translation>删除部门</translation>
    </message>
    <message>
        <source>Delete the department “{name}”?</source>
        <translation>确定删除部门“{name}”？</translation>
    </message>
</context>
<context>
    <name>DetailData</name>
    <message>
        <source>(not in your data scope)</source>
        <extracomment>Fields that are not in ``RecordDTO.values`` but on the DTO itself. dictionary name → value → label (labels as the administrator typed them) The name of the customer the record belongs to (&quot;&quot; when none, or not visible). How reference fields stored as numbers read (``record_names.reference_names``): a customer, an opportunity, a contract, a payment plan, a stage, a category; &quot;&quot; when not visible.</extracomment>
        <translation>（不在您的数据范围内）</translation>
    </message>
</context>
<context>
    <name>DetailTab</name>
    <message>
        <source>Confirm</source>
        <extracomment>The open &quot;are you sure?&quot; question, if any (tests answer it).</extracomment>
        <translation>确认</translation>
    </message>
</context>
<context>
    <name>DictionariesPage</name>
    <message>
        <source>New dictionary</source>
        <translation>新建数据字典</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>已启用</translation>
    </message>
    <message>
        <source>Add option</source>
        <translation>添加选项</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Only options not saved yet can be removed; disable a saved one instead.</source>
        <translation>只能删除尚未保存的选项；已保存的选项请停用。</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Discard changes</source>
        <translation>放弃修改</translation>
    </message>
    <message>
        <source>The value is what records store; the label is what users see. Disable an option instead of removing it: records that use it keep it.</source>
        <translation>值是记录中存储的内容，名称是用户看到的内容。请停用选项而不要删除：已使用该选项的记录会继续保留它。</translation>
    </message>
    <message>
        <source>Dictionaries</source>
        <translation>数据字典</translation>
    </message>
    <message>
        <source>{name} ({count})</source>
        <translation>{name}（{count}）</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <source>Discard your changes to this dictionary?</source>
        <translation>放弃对此数据字典的修改？</translation>
    </message>
    <message>
        <source>No field uses this dictionary yet.</source>
        <translation>还没有字段使用此数据字典。</translation>
    </message>
    <message>
        <source>{field} ({module})</source>
        <translation>{field}（{module}）</translation>
    </message>
    <message>
        <source>Used by: {fields}</source>
        <translation>使用此字典的字段：{fields}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>A saved value cannot change; records store it.</source>
        <translation>已保存的值不能修改，因为记录中存储的是该值。</translation>
    </message>
    <message>
        <source>Dictionary “{name}” saved.</source>
        <translation>数据字典“{name}”已保存。</translation>
    </message>
    <message>
        <source>Dictionary “{name}” created.</source>
        <translation>数据字典“{name}”已创建。</translation>
    </message>
</context>
<context>
    <name>DuplicateDialog</name>
    <message>
        <source>Possible duplicate</source>
        <extracomment>Modules the duplicate check covers (services.duplicates compares leads and customers). The input fields it compares; a form re-checks when one of them is new or changed.</extracomment>
        <translation>疑似重复</translation>
    </message>
    <message>
        <source>This may already be in the CRM. Your company does not allow saving a possible duplicate, so nothing was saved. Your entries are still in the form: change them, or talk to the owner listed below.</source>
        <translation>该数据可能已存在于 CRM 中。公司不允许保存疑似重复的数据，因此未保存。您填写的内容仍保留在表单中：请修改，或联系下方列出的负责人。</translation>
    </message>
    <message>
        <source>This may already be in the CRM. Check the records below before you save; if it is really a different one, save anyway.</source>
        <translation>该数据可能已存在于 CRM 中。保存前请核对下方记录；如果确实是不同的数据，可仍然保存。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Module</source>
        <translation>模块</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Matched on</source>
        <translation>匹配字段</translation>
    </message>
    <message>
        <source>How</source>
        <translation>匹配方式</translation>
    </message>
    <message>
        <source>Save anyway</source>
        <translation>仍然保存</translation>
    </message>
    <message>
        <source>Back to the form</source>
        <translation>返回表单</translation>
    </message>
    <message>
        <source>Public pool</source>
        <translation>公海</translation>
    </message>
    <message>
        <source>Same</source>
        <translation>完全相同</translation>
    </message>
    <message>
        <source>Similar name</source>
        <translation>名称相似</translation>
    </message>
    <message>
        <source>{name} (not in your data scope)</source>
        <translation>{name}（不在您的数据范围内）</translation>
    </message>
    <message>
        <source>Someone else&apos;s record: ask its owner or your manager.</source>
        <translation>他人的记录：请联系其负责人或您的上级。</translation>
    </message>
</context>
<context>
    <name>EventDialog</name>
    <message>
        <source>At the start</source>
        <extracomment>Reminder choices in minutes before the start.</extracomment>
        <translation>开始时</translation>
    </message>
    <message>
        <source>%n minute(s) before</source>
        <translation>提前 %n 分钟</translation>
    </message>
    <message>
        <source>Edit event</source>
        <translation>编辑日程</translation>
    </message>
    <message>
        <source>New event</source>
        <translation>新建日程</translation>
    </message>
    <message>
        <source>All day</source>
        <translation>全天</translation>
    </message>
    <message>
        <source>Does not repeat</source>
        <translation>不重复</translation>
    </message>
    <message>
        <source>Daily</source>
        <translation>每天</translation>
    </message>
    <message>
        <source>Weekly</source>
        <translation>每周</translation>
    </message>
    <message>
        <source>Monthly on the same day</source>
        <translation>每月同一天</translation>
    </message>
    <message>
        <source>Monthly on the same weekday</source>
        <translation>每月同一星期几</translation>
    </message>
    <message>
        <source>Yearly</source>
        <translation>每年</translation>
    </message>
    <message>
        <source>every </source>
        <translation>每 </translation>
    </message>
    <message>
        <source>Mon</source>
        <translation>周一</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>周二</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>周三</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>周四</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>周五</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>周六</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>周日</translation>
    </message>
    <message>
        <source>Never ends</source>
        <translation>永不结束</translation>
    </message>
    <message>
        <source>Ends on</source>
        <translation>结束于</translation>
    </message>
    <message>
        <source>Ends after</source>
        <translation>重复次数</translation>
    </message>
    <message>
        <source> times</source>
        <translation> 次</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>地点</translation>
    </message>
    <message>
        <source>Repeat</source>
        <translation>重复</translation>
    </message>
    <message>
        <source>On</source>
        <translation>重复于</translation>
    </message>
    <message>
        <source>Ends</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>About</source>
        <translation>关联</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>Remind me</source>
        <translation>提醒</translation>
    </message>
    <message>
        <source>Participants</source>
        <translation>参与人</translation>
    </message>
    <message>
        <source>Repeating event</source>
        <translation>重复日程</translation>
    </message>
    <message>
        <source>Change only this event, this and the following ones, or all of them?</source>
        <translation>只修改此日程、此日程及之后的日程，还是全部？</translation>
    </message>
    <message>
        <source>This event</source>
        <translation>仅此日程</translation>
    </message>
    <message>
        <source>This and following</source>
        <translation>此日程及之后</translation>
    </message>
    <message>
        <source>All events</source>
        <translation>所有日程</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ExecutionStagesPage</name>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>已启用</translation>
    </message>
    <message>
        <source>Add status</source>
        <translation>添加状态</translation>
    </message>
    <message>
        <source>Save statuses</source>
        <translation>保存状态</translation>
    </message>
    <message>
        <source>Order statuses, in order</source>
        <translation>订单状态（按顺序）</translation>
    </message>
    <message>
        <source>From</source>
        <translation>原状态</translation>
    </message>
    <message>
        <source>To</source>
        <translation>新状态</translation>
    </message>
    <message>
        <source>What happens</source>
        <translation>处理方式</translation>
    </message>
    <message>
        <source>Applied by</source>
        <translation>生效的规则/审批流</translation>
    </message>
    <message>
        <source>Just change it</source>
        <translation>直接变更</translation>
    </message>
    <message>
        <source>Switch off the rules and flows of this change.</source>
        <translation>停用此变更的规则和审批流。</translation>
    </message>
    <message>
        <source>Change and notify…</source>
        <translation>变更并通知…</translation>
    </message>
    <message>
        <source>Needs approval…</source>
        <translation>需审批…</translation>
    </message>
    <message>
        <source>Open the flow that gates this change, or design a new one.</source>
        <translation>打开控制此变更的审批流，或设计新的审批流。</translation>
    </message>
    <message>
        <source>What each change of status does</source>
        <translation>各状态变更的处理方式</translation>
    </message>
    <message>
        <source>A contract&apos;s execution status moves through these statuses once it is approved. For each change choose: just change it, change it and notify the people concerned, or change it only after an approval.</source>
        <translation>合同审批通过后，其执行状态将按以下顺序流转。可为每种变更选择：直接变更、变更并通知相关人员，或审批通过后才变更。</translation>
    </message>
    <message>
        <source>Execution stages</source>
        <translation>执行阶段</translation>
    </message>
    <message>
        <source>any</source>
        <translation>任意</translation>
    </message>
    <message>
        <source>Flow “{name}”</source>
        <translation>审批流“{name}”</translation>
    </message>
    <message>
        <source>Rule “{name}”</source>
        <translation>规则“{name}”</translation>
    </message>
    <message>
        <source>Needs approval</source>
        <translation>需审批</translation>
    </message>
    <message>
        <source>Change it and notify</source>
        <translation>变更并通知</translation>
    </message>
    <message>
        <source>New status</source>
        <translation>新状态</translation>
    </message>
    <message>
        <source>Order statuses saved.</source>
        <translation>订单状态已保存。</translation>
    </message>
    <message>
        <source>Rule “{name}” created.</source>
        <translation>规则“{name}”已创建。</translation>
    </message>
    <message>
        <source>Approval: {source} → {target}</source>
        <translation>审批：{source} → {target}</translation>
    </message>
    <message>
        <source>Approval flow “{name}” saved.</source>
        <translation>审批流“{name}”已保存。</translation>
    </message>
    <message>
        <source>This change already just happens.</source>
        <translation>此变更已是直接变更。</translation>
    </message>
    <message>
        <source>The rules and flows of this change are switched off.</source>
        <translation>已停用此变更的规则和审批流。</translation>
    </message>
    <message>
        <source>Switch off {names}? They also stop applying to the other changes they cover.</source>
        <translation>确定停用{names}？停用后，它们对所涵盖的其他变更也将不再生效。</translation>
    </message>
</context>
<context>
    <name>FieldPermissionsPage</name>
    <message>
        <source>Role:</source>
        <translation>角色：</translation>
    </message>
    <message>
        <source>Module:</source>
        <translation>模块：</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Editable</source>
        <translation>可编辑</translation>
    </message>
    <message>
        <source>Read-only</source>
        <translation>只读</translation>
    </message>
    <message>
        <source>Hidden</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Discard changes</source>
        <translation>放弃修改</translation>
    </message>
    <message>
        <source>All editable</source>
        <translation>全部可编辑</translation>
    </message>
    <message>
        <source>Field permissions</source>
        <translation>字段权限</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <source>Discard your changes to these field permissions?</source>
        <translation>放弃对这些字段权限的修改？</translation>
    </message>
    <message>
        <source>{field} (hidden for everyone)</source>
        <translation>{field}（对所有人隐藏）</translation>
    </message>
    <message>
        <source>{field} (required)</source>
        <translation>{field}（必填）</translation>
    </message>
    <message>
        <source>A required field cannot be hidden: nobody with this role could create a record.</source>
        <translation>必填字段不能隐藏：否则拥有此角色的人无法新建记录。</translation>
    </message>
    <message>
        <source>The super administrator always sees and edits every field; field permissions cannot restrict this role.</source>
        <translation>超级管理员始终可以查看和编辑所有字段，字段权限不能限制此角色。</translation>
    </message>
    <message>
        <source>You may look at field permissions but not change them.</source>
        <translation>您可以查看字段权限，但不能修改。</translation>
    </message>
    <message>
        <source>A user with several roles gets the widest access any of them grants. Hidden fields never reach the user&apos;s lists, forms, exports or search.</source>
        <translation>拥有多个角色的员工，取其中最宽的权限。隐藏字段不会出现在该员工的列表、表单、导出或搜索结果中。</translation>
    </message>
    <message>
        <source>Field permissions of “{role}” saved.</source>
        <translation>“{role}”的字段权限已保存。</translation>
    </message>
</context>
<context>
    <name>FilterEditor</name>
    <message>
        <source>Filter</source>
        <translation>筛选</translation>
    </message>
    <message>
        <source>Match all conditions</source>
        <translation>满足所有条件</translation>
    </message>
    <message>
        <source>Match any condition</source>
        <translation>满足任一条件</translation>
    </message>
    <message>
        <source>Add condition</source>
        <translation>添加条件</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Condition {n}: {message}</source>
        <translation>条件 {n}：{message}</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在检查…</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <source>Set up your company</source>
        <translation>设置公司</translation>
    </message>
    <message>
        <source>Welcome to CRM Desktop</source>
        <translation>欢迎使用 CRM Desktop</translation>
    </message>
    <message>
        <source>This database is empty. Enter your company&apos;s name and create the administrator account. The administrator can then add departments, roles and colleagues.</source>
        <translation>此数据库为空。请输入公司名称并创建管理员账号，之后由管理员添加部门、角色和同事。</translation>
    </message>
    <message>
        <source>e.g. Xiamen Star Technology Co., Ltd.</source>
        <translation>例如：厦门星辰科技有限公司</translation>
    </message>
    <message>
        <source>Used to log in</source>
        <translation>用于登录</translation>
    </message>
    <message>
        <source>At least 8 characters with letters and digits</source>
        <translation>至少 8 位，须包含字母和数字</translation>
    </message>
    <message>
        <source>Company name:</source>
        <translation>公司名称：</translation>
    </message>
    <message>
        <source>Your name:</source>
        <translation>您的姓名：</translation>
    </message>
    <message>
        <source>Your mobile number:</source>
        <translation>您的手机号：</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <source>Repeat password:</source>
        <translation>确认密码：</translation>
    </message>
    <message>
        <source>Create company</source>
        <translation>创建公司</translation>
    </message>
    <message>
        <source>The two passwords are not the same.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <source>Super administrator</source>
        <translation>超级管理员</translation>
    </message>
</context>
<context>
    <name>FlowChain</name>
    <message>
        <source>Submit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>End</source>
        <translation>结束</translation>
    </message>
</context>
<context>
    <name>FlowDesigner</name>
    <message>
        <source>One after another</source>
        <translation>依次审批</translation>
    </message>
    <message>
        <source>Countersign</source>
        <translation>会签</translation>
    </message>
    <message>
        <source>Or-sign</source>
        <translation>或签</translation>
    </message>
    <message>
        <source>The approvers decide one after another, in the order shown.</source>
        <translation>审批人按显示的顺序依次审批。</translation>
    </message>
    <message>
        <source>All approvers get the task at once; every one must approve.</source>
        <translation>所有审批人同时收到任务，须全部同意。</translation>
    </message>
    <message>
        <source>All approvers get the task at once; the first decision counts.</source>
        <translation>所有审批人同时收到任务，以第一个处理结果为准。</translation>
    </message>
    <message>
        <source>Chosen users</source>
        <translation>指定员工</translation>
    </message>
    <message>
        <source>The submitter&apos;s superior</source>
        <translation>提交人的上级</translation>
    </message>
    <message>
        <source>Everyone with a role</source>
        <translation>指定角色</translation>
    </message>
    <message>
        <source>Chosen by the submitter</source>
        <translation>提交人自选</translation>
    </message>
    <message>
        <source>{name} (disabled)</source>
        <extracomment>What a branch condition may name: ``fields`` plus the derived ones (a contract&apos;s product category); None: just ``fields``. Form fields and the status field stay ``fields``.</extracomment>
        <translation>{name}（已停用）</translation>
    </message>
    <message>
        <source>Record creation</source>
        <extracomment>Service error keys shown in the settings form (the rest belong to the tabs).</extracomment>
        <translation>新建记录</translation>
    </message>
    <message>
        <source>A status change</source>
        <translation>状态变更</translation>
    </message>
    <message>
        <source>Started by hand or by a rule</source>
        <translation>手动或由规则发起</translation>
    </message>
</context>
<context>
    <name>FlowDesignerDialog</name>
    <message>
        <source>Edit approval flow</source>
        <translation>编辑审批流</translation>
    </message>
    <message>
        <source>New approval flow</source>
        <translation>新建审批流</translation>
    </message>
    <message>
        <source>e.g. Customer registration</source>
        <translation>例如：客户报备</translation>
    </message>
    <message>
        <source>from</source>
        <translation>从</translation>
    </message>
    <message>
        <source>to</source>
        <translation>变为</translation>
    </message>
    <message>
        <source>From the first node</source>
        <translation>从第一个节点开始</translation>
    </message>
    <message>
        <source>From the node that rejected</source>
        <translation>从驳回的节点开始</translation>
    </message>
    <message>
        <source>Send to the approval administrator</source>
        <translation>转交审批管理员</translation>
    </message>
    <message>
        <source>Approve automatically</source>
        <translation>自动通过</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>恢复默认</translation>
    </message>
    <message>
        <source>No single administrator: the super administrators get the task</source>
        <translation>不指定管理员：由超级管理员处理</translation>
    </message>
    <message>
        <source>The flow is in use</source>
        <translation>启用此审批流</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Records:</source>
        <translation>模块：</translation>
    </message>
    <message>
        <source>Approval needed for:</source>
        <translation>需审批的操作：</translation>
    </message>
    <message>
        <source>Status change:</source>
        <translation>状态变更：</translation>
    </message>
    <message>
        <source>After a rejection, resubmit:</source>
        <translation>驳回后重新提交：</translation>
    </message>
    <message>
        <source>Node without approvers:</source>
        <translation>节点无审批人时：</translation>
    </message>
    <message>
        <source>Enabled:</source>
        <translation>启用：</translation>
    </message>
    <message>
        <source>Branches and nodes</source>
        <translation>分支与节点</translation>
    </message>
    <message>
        <source>Approval form</source>
        <translation>审批表单</translation>
    </message>
    <message>
        <source>Add branch</source>
        <translation>添加分支</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Try earlier</source>
        <translation>提高优先级</translation>
    </message>
    <message>
        <source>Try later</source>
        <translation>降低优先级</translation>
    </message>
    <message>
        <source>Branches are tried from the top: the first whose condition and submitter test hold is taken.</source>
        <translation>从上到下依次匹配分支：采用第一个条件和提交人均符合的分支。</translation>
    </message>
    <message>
        <source>Add a branch: it says which records go to which approvers.</source>
        <translation>请添加分支：分支决定哪些记录交由哪些审批人审批。</translation>
    </message>
    <message>
        <source>All records</source>
        <translation>全部记录</translation>
    </message>
    <message>
        <source>Any value</source>
        <translation>任意值</translation>
    </message>
    <message>
        <source>Administrator: the super administrators</source>
        <translation>管理员：超级管理员</translation>
    </message>
    <message>
        <source>Administrator: {name}</source>
        <translation>管理员：{name}</translation>
    </message>
    <message>
        <source>Approval administrator</source>
        <translation>审批管理员</translation>
    </message>
    <message>
        <source>Nodes that find no approver go to this person.</source>
        <translation>找不到审批人的节点将转交此人处理。</translation>
    </message>
    <message>
        <source>Administrator:</source>
        <translation>管理员：</translation>
    </message>
    <message>
        <source>Choose</source>
        <translation>选择</translation>
    </message>
    <message>
        <source>Branch {n}</source>
        <translation>分支 {n}</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>（未命名）</translation>
    </message>
    <message>
        <source>Branch {n}: {message}</source>
        <translation>分支 {n}：{message}</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>The flow was not saved:</source>
        <translation>审批流未保存：</translation>
    </message>
</context>
<context>
    <name>FlowFormEditor</name>
    <message>
        <source>The approvers see these fields, filled from the record when it is submitted.</source>
        <translation>审批人将看到这些字段，提交时按记录内容自动填写。</translation>
    </message>
    <message>
        <source>Add field</source>
        <translation>添加字段</translation>
    </message>
</context>
<context>
    <name>FollowUpsTab</name>
    <message>
        <source>Time</source>
        <translation>跟进时间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>跟进方式</translation>
    </message>
    <message>
        <source>Content</source>
        <translation>跟进内容</translation>
    </message>
    <message>
        <source>Next contact</source>
        <translation>下次联系时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>跟进人</translation>
    </message>
    <message>
        <source>Add follow-up</source>
        <translation>写跟进</translation>
    </message>
    <message>
        <source>Show more</source>
        <translation>显示更多</translation>
    </message>
    <message>
        <source>Follow-ups: {n}</source>
        <translation>共 {n} 条跟进记录</translation>
    </message>
</context>
<context>
    <name>FormFieldRow</name>
    <message>
        <source>Label the approvers read</source>
        <translation>审批人看到的名称</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>FormWatch</name>
    <message>
        <source>Reload</source>
        <translation>重新载入</translation>
    </message>
    <message>
        <source>Show their version; what you typed here is dropped.</source>
        <translation>显示对方保存的版本；您在此处输入的内容将被丢弃。</translation>
    </message>
    <message>
        <source>Keep mine</source>
        <translation>保留我的</translation>
    </message>
    <message>
        <source>Keep your entries; saving will show both versions field by field.</source>
        <translation>保留您的输入；保存时将逐个字段对比两个版本。</translation>
    </message>
    <message>
        <source>record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Changed by {name} since you opened this form.</source>
        <translation>您打开此表单后，{name} 修改了这条记录。</translation>
    </message>
    <message>
        <source>This record was changed since you opened this form.</source>
        <translation>您打开此表单后，这条记录已被修改。</translation>
    </message>
</context>
<context>
    <name>GlobalSearch</name>
    <message>
        <source>Search leads, customers, contacts (name, phone, pinyin)</source>
        <extracomment>The popup now lists the results of a search (carries how many were found).</extracomment>
        <translation>搜索线索、客户、联系人（名称、电话、拼音首字母）</translation>
    </message>
    <message>
        <source>Lead</source>
        <translation>线索</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Nothing found for “{text}”.</source>
        <translation>没有找到“{text}”。</translation>
    </message>
</context>
<context>
    <name>GuardedDialog</name>
    <message>
        <source>Discard changes?</source>
        <translation>放弃修改？</translation>
    </message>
    <message>
        <source>Close without saving? What you typed in this form will be lost.</source>
        <translation>不保存就关闭吗？您在此表单中输入的内容将会丢失。</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>放弃修改</translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation>继续编辑</translation>
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Bring records in from an Excel, WPS or csv file.</source>
        <translation>从 Excel、WPS 或 csv 文件导入记录。</translation>
    </message>
    <message>
        <source>Import</source>
        <extracomment>A mapping choice &quot;new field of this type&quot; (the prefix, then the FieldType value).</extracomment>
        <translation>导入</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>上一步</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>An Excel, WPS or csv file</source>
        <translation>Excel、WPS 或 csv 文件</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>Choose the file to import. The first sheet with data and its header row are found for you; you can change them in the next step.</source>
        <translation>请选择要导入的文件。系统会自动找到第一个有数据的工作表及其标题行，下一步中可以修改。</translation>
    </message>
    <message>
        <source>Sheet</source>
        <translation>工作表</translation>
    </message>
    <message>
        <source>Header row</source>
        <translation>标题行</translation>
    </message>
    <message>
        <source>Column in the file</source>
        <translation>文件中的列</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Matched by</source>
        <translation>匹配方式</translation>
    </message>
    <message>
        <source>Each column goes to one field, or is not imported. Your choice is remembered for files with the same headers.</source>
        <translation>每一列对应一个字段，或不导入。对于标题相同的文件，系统会记住您的选择。</translation>
    </message>
    <message>
        <source>Skip the row</source>
        <translation>跳过该行</translation>
    </message>
    <message>
        <source>Update the existing record</source>
        <translation>更新已有记录</translation>
    </message>
    <message>
        <source>Create it anyway</source>
        <translation>仍然新建</translation>
    </message>
    <message>
        <source>Stop the import</source>
        <translation>停止导入</translation>
    </message>
    <message>
        <source>Reject the row</source>
        <translation>该行导入失败</translation>
    </message>
    <message>
        <source>Add them to the dictionary</source>
        <translation>添加到数据字典</translation>
    </message>
    <message>
        <source>Run automation rules and approval flows for the imported records</source>
        <translation>为导入的记录运行自动化规则和审批流程</translation>
    </message>
    <message>
        <source>Off by default: automation rules and approval flows do not run for imported records unless this is ticked.</source>
        <translation>默认关闭：除非勾选此项，导入的记录不会触发自动化规则和审批流程。</translation>
    </message>
    <message>
        <source>Unticked, imported contracts and payments are recorded as approved (already signed, already received); ticked, each is submitted to its approval flow.</source>
        <translation>不勾选时，导入的合同和回款记为已审核通过（已签约、已到账）；勾选时，每条都提交到其审批流程。</translation>
    </message>
    <message>
        <source>Import nothing if any row has an error</source>
        <translation>任何一行有错误时全部不导入</translation>
    </message>
    <message>
        <source>A row that already exists</source>
        <translation>已存在的记录</translation>
    </message>
    <message>
        <source>Values not in a dictionary</source>
        <translation>数据字典中没有的值</translation>
    </message>
    <message>
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Changes to existing records</source>
        <translation>对已有记录的修改</translation>
    </message>
    <message>
        <source>Save the rows that failed…</source>
        <translation>保存失败的行…</translation>
    </message>
    <message>
        <source>Undo this import</source>
        <translation>撤销本次导入</translation>
    </message>
    <message>
        <source>Check (dry run)</source>
        <translation>检查（试导入）</translation>
    </message>
    <message>
        <source>Spreadsheets (*.xlsx *.xlsm *.xls *.ods *.csv *.txt)</source>
        <translation>表格文件 (*.xlsx *.xlsm *.xls *.ods *.csv *.txt)</translation>
    </message>
    <message>
        <source>name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>pinyin</source>
        <translation>拼音</translation>
    </message>
    <message>
        <source>similar name</source>
        <translation>相似名称</translation>
    </message>
    <message>
        <source>remembered</source>
        <translation>上次的选择</translation>
    </message>
    <message>
        <source>chosen</source>
        <translation>手动选择</translation>
    </message>
    <message>
        <source>(not imported)</source>
        <translation>（不导入）</translation>
    </message>
    <message>
        <source>New field: {type}</source>
        <translation>新字段：{type}</translation>
    </message>
    <message>
        <source>No field takes this column: keep it as a new field of the module, or leave it out.</source>
        <translation>没有字段对应这一列：可以把它存为本模块的新字段，或不导入。</translation>
    </message>
    <message>
        <source>New: {new} · updated: {updated} · skipped: {skipped} · failed: {failed}</source>
        <translation>新建：{new} · 更新：{updated} · 跳过：{skipped} · 失败：{failed}</translation>
    </message>
    <message>
        <source>Row {row}: {changes}</source>
        <translation>第 {row} 行：{changes}</translation>
    </message>
    <message>
        <source>Importing…</source>
        <translation>正在导入…</translation>
    </message>
    <message>
        <source>Imported {created}, updated {updated}, skipped {skipped}, failed {failed} (batch {batch}).</source>
        <translation>新建 {created} 条，更新 {updated} 条，跳过 {skipped} 条，失败 {failed} 条（批次 {batch}）。</translation>
    </message>
    <message>
        <source>Saved {file}</source>
        <translation>已保存 {file}</translation>
    </message>
    <message>
        <source>Save the rows that failed</source>
        <translation>保存失败的行</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>Undone: {deleted} records removed, {restored} restored.</source>
        <translation>已撤销：删除 {deleted} 条记录，恢复 {restored} 条。</translation>
    </message>
    <message>
        <source>{count} records changed since the import were left as they are.</source>
        <translation>{count} 条记录在导入后已被修改，保持不变。</translation>
    </message>
</context>
<context>
    <name>LeadsTab</name>
    <message>
        <source>Convert to customer</source>
        <translation>转化为客户</translation>
    </message>
    <message>
        <source>Create a customer (and its contact) from the selected lead.</source>
        <translation>用选中的线索创建客户（及其联系人）。</translation>
    </message>
    <message>
        <source>Mark invalid</source>
        <translation>标记无效</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>重新启用</translation>
    </message>
    <message>
        <source>Take an invalid lead back so it can be followed up and converted.</source>
        <translation>恢复无效线索，以便继续跟进和转化。</translation>
    </message>
    <message>
        <source>{n} lead</source>
        <translation>共 {n} 条线索</translation>
    </message>
    <message>
        <source>{n} leads</source>
        <translation>共 {n} 条线索</translation>
    </message>
    <message>
        <source>Search name, contact or phone</source>
        <translation>搜索名称、联系人或电话</translation>
    </message>
    <message>
        <source>New lead</source>
        <translation>新建线索</translation>
    </message>
    <message>
        <source>Edit lead</source>
        <translation>编辑线索</translation>
    </message>
    <message>
        <source>Move {n} selected leads to the recycle bin? They can be restored from there.</source>
        <translation>将选中的 {n} 条线索移入回收站？之后可从回收站恢复。</translation>
    </message>
    <message>
        <source>Recycle bin: leads</source>
        <translation>回收站：线索</translation>
    </message>
    <message>
        <source>Operation log: {name}</source>
        <translation>操作记录：{name}</translation>
    </message>
    <message>
        <source>Converted: the customer “{name}” and its contact were created.</source>
        <translation>已转化：已创建客户“{name}”及其联系人。</translation>
    </message>
    <message>
        <source>Converted: the customer “{name}” was created.</source>
        <translation>已转化：已创建客户“{name}”。</translation>
    </message>
    <message>
        <source>Why is “{name}” invalid?</source>
        <translation>“{name}”为什么无效？</translation>
    </message>
    <message>
        <source>Not marked invalid: enter the reason why the lead is invalid.</source>
        <translation>未标记为无效：请填写线索无效的原因。</translation>
    </message>
    <message>
        <source>Marked “{name}” invalid.</source>
        <translation>已将“{name}”标记为无效。</translation>
    </message>
    <message>
        <source>Reopened “{name}”.</source>
        <translation>已重新启用“{name}”。</translation>
    </message>
</context>
<context>
    <name>LinesEditor</name>
    <message>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>产品编码</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Standard price</source>
        <translation>标准价格</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>售价</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Discount %</source>
        <translation>折扣(%)</translation>
    </message>
    <message>
        <source>Subtotal</source>
        <translation>小计</translation>
    </message>
    <message>
        <source>Remark</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Add product…</source>
        <translation>添加产品…</translation>
    </message>
    <message>
        <source>Remove line</source>
        <translation>删除明细</translation>
    </message>
    <message>
        <source>Total: {amount}</source>
        <translation>合计：{amount}</translation>
    </message>
</context>
<context>
    <name>ListExporter</name>
    <message>
        <source>Export</source>
        <extracomment>List columns that show a base attribute under another name than its schema field. Called with a default file name and a callback that receives the chosen path.</extracomment>
        <translation>导出</translation>
    </message>
    <message>
        <source>Save the selected rows or the whole list as an Excel file.</source>
        <translation>将选中的行或整个列表导出为 Excel 文件。</translation>
    </message>
    <message>
        <source>Selected rows</source>
        <translation>选中的行</translation>
    </message>
    <message>
        <source>Whole list (current view, filter and search)</source>
        <translation>整个列表（当前场景、筛选和搜索结果）</translation>
    </message>
    <message>
        <source>Export to Excel</source>
        <translation>导出到 Excel</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>the folder cannot be written to</source>
        <translation>该文件夹不可写入</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Exported {n} row to “{file}”.</source>
        <translation>已导出 {n} 行到“{file}”。</translation>
    </message>
    <message>
        <source>Exported {n} rows to “{file}”.</source>
        <translation>已导出 {n} 行到“{file}”。</translation>
    </message>
    <message>
        <source>Not exported: could not write “{file}” ({reason}).</source>
        <translation>未导出：无法写入“{file}”（{reason}）。</translation>
    </message>
    <message>
        <source>Not exported: {error}</source>
        <translation>未导出：{error}</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>The file {path} is not a CRM database. It was not changed. Choose another file, or a new location to start a new database.</source>
        <translation>文件 {path} 不是 CRM 数据库，未对其做任何更改。请选择其他文件，或选择一个新位置来新建数据库。</translation>
    </message>
    <message>
        <source>Cannot connect to the database. Check that the server is running, the network works and the settings and password are right.

Details: {details}</source>
        <translation>无法连接数据库。请检查服务器是否运行、网络是否正常，以及设置和密码是否正确。

详细信息：{details}</translation>
    </message>
    <message>
        <source>Cannot open the database: {details}</source>
        <translation>无法打开数据库：{details}</translation>
    </message>
    <message>
        <source>CRM Desktop — Log in</source>
        <translation>CRM Desktop — 登录</translation>
    </message>
    <message>
        <source>CRM Desktop</source>
        <translation>CRM Desktop</translation>
    </message>
    <message>
        <source>Log in with your mobile number and password.</source>
        <translation>请使用手机号和密码登录。</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Add server…</source>
        <translation>添加服务器…</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <source>Server password</source>
        <translation>服务器密码</translation>
    </message>
    <message>
        <source>Mobile number</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Choose another database file…</source>
        <translation>选择其他数据库文件…</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Chosen when the program was started (--database).</source>
        <translation>启动程序时已指定（--database）。</translation>
    </message>
    <message>
        <source>This computer</source>
        <translation>本机</translation>
    </message>
    <message>
        <source>Shared server: {name}</source>
        <translation>共享服务器：{name}</translation>
    </message>
    <message>
        <source>Choose file…</source>
        <translation>选择文件…</translation>
    </message>
    <message>
        <source>This computer has no password store (keyring), so the server password cannot be remembered. Enter it each time you log in.</source>
        <translation>本机没有系统密钥环，无法记住服务器密码，每次登录时请输入。</translation>
    </message>
    <message>
        <source>The server password is not remembered on this computer. Enter it to connect.</source>
        <translation>本机未记住服务器密码，请输入后连接。</translation>
    </message>
    <message>
        <source>Opening the database…</source>
        <translation>正在打开数据库…</translation>
    </message>
    <message>
        <source>This database is empty. Set up your company to start using it.</source>
        <translation>此数据库为空。请先设置公司，然后开始使用。</translation>
    </message>
    <message>
        <source>Set up company…</source>
        <translation>设置公司…</translation>
    </message>
    <message>
        <source>Enter the server password.</source>
        <translation>请输入服务器密码。</translation>
    </message>
    <message>
        <source>Enter your mobile number and password.</source>
        <translation>请输入手机号和密码。</translation>
    </message>
    <message>
        <source>Checking your password…</source>
        <translation>正在验证密码…</translation>
    </message>
    <message>
        <source>Choose a CRM database file</source>
        <translation>选择 CRM 数据库文件</translation>
    </message>
    <message>
        <source>CRM database (*.sqlite3 *.db);;All files (*)</source>
        <translation>CRM 数据库 (*.sqlite3 *.db);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Workbench</source>
        <translation>工作台</translation>
    </message>
    <message>
        <source>Activities</source>
        <translation>任务日程</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Leads</source>
        <translation>线索</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>Opportunities</source>
        <translation>商机</translation>
    </message>
    <message>
        <source>Contracts</source>
        <translation>合同</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>回款</translation>
    </message>
    <message>
        <source>Public pool</source>
        <translation>公海</translation>
    </message>
    <message>
        <source>Approvals</source>
        <translation>审批</translation>
    </message>
    <message>
        <source>Administration</source>
        <translation>系统管理</translation>
    </message>
    <message>
        <source>Your account</source>
        <translation>我的账号</translation>
    </message>
    <message>
        <source>Change password…</source>
        <translation>修改密码…</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>About CRM Desktop…</source>
        <translation>关于 CRM Desktop…</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>User: {name}</source>
        <translation>用户：{name}</translation>
    </message>
    <message>
        <source>Database: {path}</source>
        <translation>数据库：{path}</translation>
    </message>
    <message>
        <source>Shared server: {server}</source>
        <translation>共享服务器：{server}</translation>
    </message>
    <message>
        <source>CRM Desktop — {company}</source>
        <translation>CRM Desktop — {company}</translation>
    </message>
    <message>
        <source>CRM Desktop</source>
        <extracomment>The window was closed (the app then quits). The language was switched and the window rebuilt; carries the language code. Says when the server cannot be reached (live refresh&apos;s connection, issue 17).</extracomment>
        <translation>CRM Desktop</translation>
    </message>
    <message>
        <source>Your password was changed.</source>
        <extracomment>Which tab shows each kind of record the global search finds.</extracomment>
        <translation>密码已修改。</translation>
    </message>
    <message>
        <source>The {language} translation is not installed; the window stays in English.</source>
        <translation>未安装{language}翻译，界面将保持英文。</translation>
    </message>
</context>
<context>
    <name>MappingRow</name>
    <message>
        <source>← field</source>
        <translation>← 字段</translation>
    </message>
    <message>
        <source>← fixed value</source>
        <translation>← 固定值</translation>
    </message>
    <message>
        <source>Record id</source>
        <translation>记录 ID</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>MembersTree</name>
    <message>
        <source>Member</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>Departments (with their sub-departments)</source>
        <translation>部门（含下级部门）</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>员工</translation>
    </message>
</context>
<context>
    <name>MessageButton</name>
    <message>
        <source>Message centre</source>
        <translation>消息中心</translation>
    </message>
    <message>
        <source>Messages {n}</source>
        <translation>消息 {n}</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
</context>
<context>
    <name>MessageCentre</name>
    <message>
        <source>Message centre</source>
        <extracomment>A message&apos;s record should be shown: (entity, record id, name to search for: &quot;&quot;). Messages were marked read (the watcher counts again). A list was shown (tests wait for it).</extracomment>
        <translation>消息中心</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Unread</source>
        <translation>未读</translation>
    </message>
    <message>
        <source>Mark all read</source>
        <translation>全部标为已读</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Select a message to read it.</source>
        <translation>选择一条消息以查看内容。</translation>
    </message>
    <message>
        <source>Open record</source>
        <translation>打开记录</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>No unread messages.</source>
        <translation>没有未读消息。</translation>
    </message>
    <message>
        <source>No messages yet.</source>
        <translation>暂无消息。</translation>
    </message>
</context>
<context>
    <name>MessageEditor</name>
    <message>
        <source>The record&apos;s owner</source>
        <translation>记录负责人</translation>
    </message>
    <message>
        <source>The owner&apos;s superior</source>
        <translation>负责人的上级</translation>
    </message>
    <message>
        <source>The record&apos;s team members</source>
        <translation>相关团队成员</translation>
    </message>
    <message>
        <source>Chosen users</source>
        <translation>指定员工</translation>
    </message>
    <message>
        <source>Everyone with a role</source>
        <translation>指定角色</translation>
    </message>
    <message>
        <source>Insert a field into the text…</source>
        <translation>插入字段…</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>接收人：</translation>
    </message>
    <message>
        <source>Users:</source>
        <translation>员工：</translation>
    </message>
    <message>
        <source>Role:</source>
        <translation>角色：</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <source>Text:</source>
        <translation>内容：</translation>
    </message>
    <message>
        <source>Choose who receives the message.</source>
        <extracomment>Whose owner / superior / team is told (the record&apos;s customer …); the text stays the record&apos;s.</extracomment>
        <translation>请选择消息接收人。</translation>
    </message>
    <message>
        <source>Choose the role that receives the message.</source>
        <translation>请选择接收消息的角色。</translation>
    </message>
    <message>
        <source>Enter the message&apos;s title.</source>
        <translation>请输入消息标题。</translation>
    </message>
</context>
<context>
    <name>MessageWatcher</name>
    <message numerus="yes">
        <source>…and %n more new message(s).</source>
        <extracomment>How often the unread count is read again (other PCs write messages too). Changes come in bursts (an import, a rule firing rules): one count for each burst. How many messages the centre lists (newest first). The unread count changed (carries the new count). Something worth a desktop notification arrived: (title, text).</extracomment>
        <translation>
            <numerusform>…另有 %n 条新消息。</numerusform>
        </translation>
    </message>
    <message>
        <source>New message</source>
        <translation>新消息</translation>
    </message>
</context>
<context>
    <name>MonthView</name>
    <message>
        <source>+%1 more</source>
        <translation>还有 %1 项</translation>
    </message>
</context>
<context>
    <name>MoveDepartmentDialog</name>
    <message>
        <source>Move “{name}”</source>
        <translation>移动“{name}”</translation>
    </message>
    <message>
        <source>New parent:</source>
        <translation>新上级部门：</translation>
    </message>
</context>
<context>
    <name>MyApprovalsPage</name>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Waiting for me</source>
        <extracomment>Records and approvals whose change may change what the lists show. A list was shown (tests wait for it).</extracomment>
        <translation>待我审批</translation>
    </message>
    <message>
        <source>Submitted by me</source>
        <translation>我提交的</translation>
    </message>
    <message>
        <source>Decided by me</source>
        <translation>我已审批</translation>
    </message>
    <message>
        <source>Approve…</source>
        <translation>同意…</translation>
    </message>
    <message>
        <source>Reject…</source>
        <translation>驳回…</translation>
    </message>
    <message>
        <source>Open record</source>
        <translation>打开记录</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Flow</source>
        <translation>审批流</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Submitter</source>
        <translation>提交人</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>节点</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>My decision</source>
        <translation>我的审批结果</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Nothing is waiting for your approval.</source>
        <translation>暂无待您审批的事项。</translation>
    </message>
    <message>
        <source>You have not submitted anything for approval.</source>
        <translation>您还没有提交过审批。</translation>
    </message>
    <message>
        <source>You have not decided on any approval yet.</source>
        <translation>您还没有处理过审批。</translation>
    </message>
    <message>
        <source>You approved {record} ({flow}).</source>
        <translation>您已同意 {record}（{flow}）。</translation>
    </message>
    <message>
        <source>You rejected {record} ({flow}).</source>
        <translation>您已驳回 {record}（{flow}）。</translation>
    </message>
</context>
<context>
    <name>NewDictionaryDialog</name>
    <message>
        <source>New dictionary</source>
        <translation>新建数据字典</translation>
    </message>
    <message>
        <source>One option per line</source>
        <translation>每行一个选项</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Options:</source>
        <translation>选项：</translation>
    </message>
</context>
<context>
    <name>NodeCard</name>
    <message>
        <source>Earlier</source>
        <translation>前移</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>后移</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>e.g. Sales director&apos;s approval</source>
        <translation>例如：销售总监审批</translation>
    </message>
    <message>
        <source>Levels up: </source>
        <translation>上级层级：</translation>
    </message>
    <message>
        <source>1 = the direct superior. Where the chain ends sooner, the highest superior found approves.</source>
        <translation>1 = 直属上级。若上级链在此之前已到顶，则由找到的最高一级上级审批。</translation>
    </message>
    <message>
        <source>The submitter chooses the approvers of this node when submitting.</source>
        <translation>提交人在提交时选择此节点的审批人。</translation>
    </message>
    <message>
        <source>Everyone who has the role gets the task.</source>
        <translation>拥有该角色的所有人都会收到审批任务。</translation>
    </message>
    <message>
        <source>Mode:</source>
        <translation>审批方式：</translation>
    </message>
    <message>
        <source>Approvers:</source>
        <translation>审批人：</translation>
    </message>
    <message>
        <source>Node {n}</source>
        <translation>节点 {n}</translation>
    </message>
    <message>
        <source>Order: {names}</source>
        <translation>审批顺序：{names}</translation>
    </message>
    <message>
        <source>In turn</source>
        <translation>依次审批</translation>
    </message>
    <message>
        <source>Countersign</source>
        <translation>会签</translation>
    </message>
    <message>
        <source>Or-sign</source>
        <translation>或签</translation>
    </message>
    <message>
        <source>nobody yet</source>
        <translation>尚未指定</translation>
    </message>
    <message>
        <source>superior, {n} level(s) up</source>
        <translation>第 {n} 级上级</translation>
    </message>
    <message>
        <source>role {name}</source>
        <translation>角色：{name}</translation>
    </message>
    <message>
        <source>chosen by the submitter</source>
        <translation>提交人自选</translation>
    </message>
</context>
<context>
    <name>NotifyRuleDialog</name>
    <message>
        <source>Notify on a status change</source>
        <translation>状态变更通知</translation>
    </message>
    <message>
        <source>Notify: {status}</source>
        <translation>通知：{status}</translation>
    </message>
    <message>
        <source>Everyone with a role</source>
        <translation>指定角色的所有员工</translation>
    </message>
    <message>
        <source>Chosen users</source>
        <translation>指定员工</translation>
    </message>
    <message>
        <source>The contract&apos;s owner</source>
        <translation>合同负责人</translation>
    </message>
    <message>
        <source>{status}: {{number}} {{name}}</source>
        <translation>{status}：{{number}} {{name}}</translation>
    </message>
    <message>
        <source>{number}, {name} and other field names in braces are filled in.</source>
        <translation>{number}、{name} 等花括号中的字段名将自动替换为记录中的值。</translation>
    </message>
    <message>
        <source>Rule name:</source>
        <translation>规则名称：</translation>
    </message>
    <message>
        <source>Send to:</source>
        <translation>发送给：</translation>
    </message>
    <message>
        <source>Role:</source>
        <translation>角色：</translation>
    </message>
    <message>
        <source>Users:</source>
        <translation>员工：</translation>
    </message>
    <message>
        <source>Message:</source>
        <translation>消息内容：</translation>
    </message>
</context>
<context>
    <name>NumberEditor</name>
    <message>
        <source>0.00</source>
        <translation>0.00</translation>
    </message>
</context>
<context>
    <name>NumberRuleEditor</name>
    <message>
        <source>Year, month and day (20261122)</source>
        <translation>年月日（20261122）</translation>
    </message>
    <message>
        <source>Year and month (202611)</source>
        <translation>年月（202611）</translation>
    </message>
    <message>
        <source>Year (2026)</source>
        <translation>年（2026）</translation>
    </message>
    <message>
        <source>No date</source>
        <translation>不含日期</translation>
    </message>
    <message>
        <source>Every day</source>
        <translation>每天</translation>
    </message>
    <message>
        <source>Every month</source>
        <translation>每月</translation>
    </message>
    <message>
        <source>Every year</source>
        <translation>每年</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>从不</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Prefix:</source>
        <translation>前缀：</translation>
    </message>
    <message>
        <source>Date part:</source>
        <translation>日期部分：</translation>
    </message>
    <message>
        <source>Sequence starts again:</source>
        <translation>流水号重置周期：</translation>
    </message>
    <message>
        <source>Digits:</source>
        <translation>位数：</translation>
    </message>
    <message>
        <source>Separator:</source>
        <translation>分隔符：</translation>
    </message>
    <message>
        <source>Example:</source>
        <translation>示例：</translation>
    </message>
    <message>
        <source>Saved: new numbers look like {example}.</source>
        <translation>已保存：新编号形如 {example}。</translation>
    </message>
</context>
<context>
    <name>NumberRulesPage</name>
    <message>
        <source>Contract numbers</source>
        <translation>合同编号</translation>
    </message>
    <message>
        <source>Payment numbers</source>
        <translation>回款编号</translation>
    </message>
    <message>
        <source>A payment may be more than the contract&apos;s outstanding amount</source>
        <translation>允许回款金额超过合同的未回款金额</translation>
    </message>
    <message>
        <source>Off: a payment above what is still outstanding is refused.</source>
        <translation>关闭时：超过未回款金额的回款将被拒绝。</translation>
    </message>
    <message>
        <source>Mark the opportunity won when its contract is approved</source>
        <translation>合同审批通过后，将其商机标记为赢单</translation>
    </message>
    <message>
        <source>On: approving a contract closes the opportunity it was made for as won.</source>
        <translation>开启后：合同审批通过时，其所属商机自动赢单。</translation>
    </message>
    <message>
        <source>Number rules</source>
        <translation>编号规则</translation>
    </message>
    <message>
        <source>Overpayments are now allowed.</source>
        <translation>已允许超额回款。</translation>
    </message>
    <message>
        <source>Payments above the outstanding amount are now refused.</source>
        <translation>已禁止超额回款：超过未回款金额的回款将被拒绝。</translation>
    </message>
    <message>
        <source>An approved contract now marks its opportunity won.</source>
        <translation>合同审批通过后将自动把商机标记为赢单。</translation>
    </message>
    <message>
        <source>Approving a contract no longer changes its opportunity.</source>
        <translation>合同审批通过不再改变其商机。</translation>
    </message>
</context>
<context>
    <name>OperationLogView</name>
    <message>
        <source>Time</source>
        <extracomment>Log fields that hold a user id; shown as the user&apos;s name. Log fields that hold a time (stored as ISO text in the log).</extracomment>
        <translation>时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Old value</source>
        <translation>原值</translation>
    </message>
    <message>
        <source>New value</source>
        <translation>新值</translation>
    </message>
    <message>
        <source>(system)</source>
        <translation>（系统）</translation>
    </message>
    <message>
        <source>Entries: {n}</source>
        <translation>共 {n} 条</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Edited</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Moved to the recycle bin</source>
        <translation>移入回收站</translation>
    </message>
    <message>
        <source>Restored</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Transferred</source>
        <translation>转移</translation>
    </message>
    <message>
        <source>Team changed</source>
        <translation>相关团队变更</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Unlocked</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Status changed</source>
        <translation>状态变更</translation>
    </message>
    <message>
        <source>Converted</source>
        <translation>已转化</translation>
    </message>
    <message>
        <source>Followed up</source>
        <translation>跟进</translation>
    </message>
    <message>
        <source>Attachments changed</source>
        <translation>附件变更</translation>
    </message>
    <message>
        <source>Put in the public pool</source>
        <translation>放入公海</translation>
    </message>
    <message>
        <source>Recycled into the public pool</source>
        <translation>回收至公海</translation>
    </message>
    <message>
        <source>Claimed from the public pool</source>
        <translation>从公海领取</translation>
    </message>
    <message>
        <source>Assigned from the public pool</source>
        <translation>从公海分配</translation>
    </message>
    <message>
        <source>Team: {name}</source>
        <translation>相关团队：{name}</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>In recycle bin since</source>
        <translation>移入回收站时间</translation>
    </message>
    <message>
        <source>Attachment</source>
        <translation>附件</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>只读</translation>
    </message>
    <message>
        <source>Read and write</source>
        <translation>读写</translation>
    </message>
</context>
<context>
    <name>OpportunitiesTab</name>
    <message>
        <source>{n} opportunity</source>
        <translation>共 {n} 个商机</translation>
    </message>
    <message>
        <source>{n} opportunities</source>
        <translation>共 {n} 个商机</translation>
    </message>
    <message>
        <source>Search opportunity name</source>
        <translation>搜索商机名称</translation>
    </message>
    <message>
        <source>New opportunity</source>
        <translation>新建商机</translation>
    </message>
    <message>
        <source>Edit opportunity</source>
        <translation>编辑商机</translation>
    </message>
    <message>
        <source>Move {n} selected opportunities to the recycle bin? They can be restored from there.</source>
        <translation>将选中的 {n} 个商机移入回收站？之后可从回收站恢复。</translation>
    </message>
    <message>
        <source>Recycle bin: opportunities</source>
        <translation>回收站：商机</translation>
    </message>
    <message>
        <source>Operation log: {name}</source>
        <translation>操作记录：{name}</translation>
    </message>
    <message>
        <source>List</source>
        <translation>列表</translation>
    </message>
    <message>
        <source>Board</source>
        <translation>看板</translation>
    </message>
    <message>
        <source>The opportunities as cards by stage: drag a card to move it.</source>
        <translation>按阶段以卡片显示商机：拖动卡片即可推进阶段。</translation>
    </message>
</context>
<context>
    <name>OpportunityBoard</name>
    <message>
        <source>Show won and lost</source>
        <translation>显示赢单和输单</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Drag a card to another column to move the opportunity.</source>
        <translation>把卡片拖到另一列即可变更商机阶段。</translation>
    </message>
    <message>
        <source>Stage group</source>
        <translation>阶段组</translation>
    </message>
    <message>
        <source>Won</source>
        <translation>赢单</translation>
    </message>
    <message>
        <source>Lost</source>
        <translation>输单</translation>
    </message>
    <message>
        <source>{n} opportunity</source>
        <translation>{n} 个商机</translation>
    </message>
    <message>
        <source>{n} opportunities</source>
        <translation>{n} 个商机</translation>
    </message>
    <message>
        <source>{count}, together ¥{amount}</source>
        <translation>{count}，合计 ¥{amount}</translation>
    </message>
    <message>
        <source>Opportunity board</source>
        <translation>商机看板</translation>
    </message>
    <message>
        <source>Close “{name}” as won?</source>
        <translation>将“{name}”标记为赢单？</translation>
    </message>
    <message>
        <source>“{name}” is won.</source>
        <translation>“{name}”已赢单。</translation>
    </message>
    <message>
        <source>“{name}” is lost.</source>
        <translation>“{name}”已输单。</translation>
    </message>
    <message>
        <source>“{name}” moved to “{stage}”.</source>
        <translation>“{name}”已移到“{stage}”。</translation>
    </message>
</context>
<context>
    <name>OpportunityDialog</name>
    <message>
        <source>Product lines</source>
        <translation>产品明细</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>No contacts</source>
        <translation>无联系人</translation>
    </message>
    <message>
        <source>Choose a customer</source>
        <translation>请先选择客户</translation>
    </message>
    <message>
        <source>Follows the product lines; type an amount to fix it.</source>
        <translation>按产品明细自动计算；输入金额可固定。</translation>
    </message>
    <message>
        <source>Typed by hand; clear it to follow the product lines.</source>
        <translation>已手动输入；清空后将按产品明细计算。</translation>
    </message>
    <message>
        <source>Line {n}: {error}</source>
        <translation>第 {n} 行：{error}</translation>
    </message>
</context>
<context>
    <name>OpportunityHeader</name>
    <message>
        <source>Won</source>
        <translation>赢单</translation>
    </message>
    <message>
        <source>Close the opportunity as won (赢单).</source>
        <translation>将商机关闭为赢单。</translation>
    </message>
    <message>
        <source>Lost…</source>
        <translation>输单…</translation>
    </message>
    <message>
        <source>Close the opportunity as lost, with the reason.</source>
        <translation>将商机关闭为输单，并填写原因。</translation>
    </message>
    <message>
        <source>Invalid…</source>
        <translation>无效…</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>重新打开</translation>
    </message>
    <message>
        <source>Move this opportunity from “{old}” to “{new}”?</source>
        <extracomment>Print quotation… / Export PDF… (print_buttons.py).</extracomment>
        <translation>确定将此商机从“{old}”阶段变更为“{new}”阶段？</translation>
    </message>
    <message>
        <source>Moved to “{name}”.</source>
        <translation>已进入“{name}”阶段。</translation>
    </message>
    <message>
        <source>Close this opportunity as won?</source>
        <translation>确定将此商机关闭为赢单？</translation>
    </message>
    <message>
        <source>Marked as won.</source>
        <translation>已标记为赢单。</translation>
    </message>
    <message>
        <source>Marked as lost.</source>
        <translation>已标记为输单。</translation>
    </message>
    <message>
        <source>Marked as invalid.</source>
        <translation>已标记为无效。</translation>
    </message>
    <message>
        <source>Open this opportunity again, at the stage it had?</source>
        <translation>确定重新打开此商机？商机将回到原来的阶段。</translation>
    </message>
    <message>
        <source>Reopened.</source>
        <translation>已重新打开。</translation>
    </message>
</context>
<context>
    <name>PaymentDialog</name>
    <message>
        <source>Outstanding on this contract: {amount}</source>
        <extracomment>The plan to choose once the contract&apos;s plans are read (a payment recorded for a plan). The amount this form filled in from a plan: replaced when another plan is chosen, never when the user typed their own.</extracomment>
        <translation>此合同未回款金额：{amount}</translation>
    </message>
</context>
<context>
    <name>PaymentPlansTab</name>
    <message>
        <source>Instalment</source>
        <translation>期数</translation>
    </message>
    <message>
        <source>Planned amount</source>
        <translation>计划回款金额</translation>
    </message>
    <message>
        <source>Planned date</source>
        <translation>计划回款日期</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>回款方式</translation>
    </message>
    <message>
        <source>Reminder</source>
        <translation>提醒</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>已回款</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Remark</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Add plan</source>
        <translation>添加计划</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Record a payment…</source>
        <translation>登记回款…</translation>
    </message>
    <message>
        <source>A new payment on this contract for the selected plan.</source>
        <translation>按选中的回款计划，为此合同新建一笔回款。</translation>
    </message>
    <message>
        <source>{n} days before</source>
        <translation>提前 {n} 天</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Payments are recorded on approved contracts.</source>
        <translation>只能在已审批通过的合同上登记回款。</translation>
    </message>
    <message>
        <source>Payment plan saved.</source>
        <translation>回款计划已保存。</translation>
    </message>
    <message>
        <source>Delete instalment {n}?</source>
        <translation>确定删除第 {n} 期？</translation>
    </message>
    <message>
        <source>Payment plan deleted.</source>
        <translation>回款计划已删除。</translation>
    </message>
    <message>
        <source>New payment</source>
        <translation>新建回款</translation>
    </message>
    <message>
        <source>Payment saved: submit it for approval.</source>
        <translation>回款已保存，请提交审批。</translation>
    </message>
</context>
<context>
    <name>PaymentsTab</name>
    <message>
        <source>No approval flow applies to it: payment {name} is approved without an approval.</source>
        <translation>没有适用的审批流：回款 {name} 已直接通过，无需审批。</translation>
    </message>
    <message>
        <source>Payment {name} was submitted for approval.</source>
        <translation>回款 {name} 已提交审批。</translation>
    </message>
    <message>
        <source>Instalment {n}: {amount} by {date}</source>
        <extracomment>Approved contracts offered in the payment form (newest first).</extracomment>
        <translation>第 {n} 期：{amount}（{date} 前）</translation>
    </message>
    <message>
        <source>Submit for approval</source>
        <translation>提交审批</translation>
    </message>
    <message>
        <source>{n} payment</source>
        <translation>共 {n} 笔回款</translation>
    </message>
    <message>
        <source>{n} payments</source>
        <translation>共 {n} 笔回款</translation>
    </message>
    <message>
        <source>Search number or remark</source>
        <translation>搜索回款编号或备注</translation>
    </message>
    <message>
        <source>New payment</source>
        <translation>新建回款</translation>
    </message>
    <message>
        <source>Edit payment</source>
        <translation>编辑回款</translation>
    </message>
    <message>
        <source>Move {n} selected payments to the recycle bin? They can be restored from there.</source>
        <translation>将选中的 {n} 笔回款移入回收站？之后可从回收站恢复。</translation>
    </message>
    <message>
        <source>Recycle bin: payments</source>
        <translation>回收站：回款</translation>
    </message>
    <message>
        <source>Operation log: {name}</source>
        <translation>操作记录：{name}</translation>
    </message>
</context>
<context>
    <name>PermissionMatrix</name>
    <message>
        <source>All</source>
        <extracomment>(label, combo) pairs per row of the data-scope grid. Department trees of custom scopes per row (each tree about a quarter of a 1366 screen). A module&apos;s department tree appeared (its scope became &quot;Custom&quot; outside ``load``): the page scrolls it into view, as it is usually below the fold.</extracomment>
        <translation>全部</translation>
    </message>
    <message>
        <source>Grant or remove every action of this module</source>
        <translation>授予或取消此模块的全部操作</translation>
    </message>
    <message>
        <source>Data scope: whose records the users of this role see</source>
        <translation>数据范围：此角色的用户可以查看谁的数据</translation>
    </message>
    <message>
        <source>Custom: the records of users in the ticked departments (a sub-department only when ticked too), and each user&apos;s own records.</source>
        <translation>自定义：勾选部门中员工负责的数据（下属部门须另行勾选），以及用户本人的数据。</translation>
    </message>
    <message>
        <source>{module}: departments</source>
        <translation>{module}：部门</translation>
    </message>
</context>
<context>
    <name>PlanDialog</name>
    <message>
        <source>Edit payment plan</source>
        <translation>编辑回款计划</translation>
    </message>
    <message>
        <source>New payment plan</source>
        <translation>新建回款计划</translation>
    </message>
    <message>
        <source>No reminder</source>
        <translation>不提醒</translation>
    </message>
    <message>
        <source> days before</source>
        <translation> 天前</translation>
    </message>
    <message>
        <source>Instalment:</source>
        <translation>期数：</translation>
    </message>
    <message>
        <source>Planned amount:</source>
        <translation>计划回款金额：</translation>
    </message>
    <message>
        <source>Planned date:</source>
        <translation>计划回款日期：</translation>
    </message>
    <message>
        <source>Payment method:</source>
        <translation>回款方式：</translation>
    </message>
    <message>
        <source>Remind the owner:</source>
        <translation>提醒负责人：</translation>
    </message>
    <message>
        <source>Remark:</source>
        <translation>备注：</translation>
    </message>
</context>
<context>
    <name>PoolDialog</name>
    <message>
        <source>Edit public pool</source>
        <translation>编辑公海</translation>
    </message>
    <message>
        <source>New public pool</source>
        <translation>新建公海</translation>
    </message>
    <message>
        <source>Enabled: takes in customers and lets members claim them</source>
        <translation>启用：接收客户，并允许成员领取</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>No limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>No cap</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>No reminder</source>
        <translation>不提醒</translation>
    </message>
    <message>
        <source>Never recycle customers who have made a deal</source>
        <translation>已成交的客户不回收</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Members:</source>
        <translation>成员：</translation>
    </message>
    <message>
        <source>Daily claim limit:</source>
        <translation>每日领取上限：</translation>
    </message>
    <message>
        <source>Owned customers cap:</source>
        <translation>拥有客户上限：</translation>
    </message>
    <message>
        <source>Reclaim cooldown:</source>
        <translation>再次领取间隔：</translation>
    </message>
    <message>
        <source>How many customers a member may claim from this pool per day.</source>
        <translation>每名成员每天可从此公海领取的客户数。</translation>
    </message>
    <message>
        <source>A member who owns this many customers cannot claim more.</source>
        <translation>成员拥有的客户达到此数量后，不能再领取。</translation>
    </message>
    <message>
        <source>How long before someone may claim back a customer they gave up.</source>
        <translation>放弃客户后，需间隔多久才能再次领取该客户。</translation>
    </message>
    <message>
        <source>Recycle rules:</source>
        <translation>回收规则：</translation>
    </message>
    <message>
        <source>Remind owners:</source>
        <translation>提醒负责人：</translation>
    </message>
    <message>
        <source>Tell owners this many days before a rule recycles their customer.</source>
        <translation>在规则回收客户前，提前多少天提醒负责人。</translation>
    </message>
</context>
<context>
    <name>PoolTab</name>
    <message>
        <source>Search customer name</source>
        <extracomment>Changes that can alter a pool&apos;s list or the actor&apos;s quota. field → stored value → label: a level reads &quot;B（普通客户）&quot; as in the customer list. The pool list&apos;s view spec (its columns and actions).</extracomment>
        <translation>搜索客户名称</translation>
    </message>
    <message>
        <source>Claim</source>
        <translation>领取</translation>
    </message>
    <message>
        <source>Become the owner of the selected customers.</source>
        <translation>成为选中客户的负责人。</translation>
    </message>
    <message>
        <source>Assign…</source>
        <translation>分配…</translation>
    </message>
    <message>
        <source>Give the selected customers to a user (pool administrators).</source>
        <translation>将选中的客户分配给员工（限公海管理员）。</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Pool:</source>
        <translation>公海：</translation>
    </message>
    <message>
        <source>Customer</source>
        <extracomment>The pool service sorts by name, level and the time put in; the other columns it adds itself.</extracomment>
        <translation>客户</translation>
    </message>
    <message>
        <source>Previous owner</source>
        <translation>原负责人</translation>
    </message>
    <message>
        <source>Put in</source>
        <translation>放入时间</translation>
    </message>
    <message>
        <source>Days in pool</source>
        <translation>在公海天数</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>{name} (disabled)</source>
        <translation>{name}（已停用）</translation>
    </message>
    <message>
        <source>You are not a member of any public pool.

Customers that their owners give up, or that are recycled for lack of follow-up, wait in a public pool for someone to claim them. Ask an administrator to add you to a pool.</source>
        <translation>您不是任何公海的成员。

负责人放弃的客户，或因长期未跟进而被回收的客户，会进入公海等待他人领取。请联系管理员将您加入公海。</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Claimed today: {claimed} / {limit}    Owned customers: {owned} / {cap}</source>
        <translation>今日已领取：{claimed} / {limit}    已拥有客户：{owned} / {cap}</translation>
    </message>
    <message>
        <source>{n} customers in this pool</source>
        <translation>此公海共 {n} 个客户</translation>
    </message>
    <message>
        <source>1 customer in this pool</source>
        <translation>此公海共 1 个客户</translation>
    </message>
    <message>
        <source>Claim ({n})</source>
        <translation>领取（{n}）</translation>
    </message>
    <message>
        <source>Claimed: {n}. These customers are yours now.</source>
        <translation>已领取 {n} 个客户，现在由您负责。</translation>
    </message>
    <message>
        <source>Assigned: {n}.</source>
        <translation>已分配：{n} 个。</translation>
    </message>
</context>
<context>
    <name>PoolsPage</name>
    <message>
        <source>New pool</source>
        <translation>新建公海</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>客户数</translation>
    </message>
    <message>
        <source>Daily claim limit</source>
        <translation>每日领取上限</translation>
    </message>
    <message>
        <source>Owned cap</source>
        <translation>拥有上限</translation>
    </message>
    <message>
        <source>Recycle rules</source>
        <translation>回收规则</translation>
    </message>
    <message>
        <source>Public pools</source>
        <translation>公海设置</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>已启用</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>No limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>No cap</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>No recycling</source>
        <translation>不回收</translation>
    </message>
    <message>
        <source>Administrators: {names}</source>
        <translation>管理员：{names}</translation>
    </message>
    <message>
        <source>Saved the pool “{name}”.</source>
        <translation>公海“{name}”已保存。</translation>
    </message>
</context>
<context>
    <name>PresenceLabel</name>
    <message>
        <source>Another user</source>
        <extracomment>(entity, id) → (who saved it last on another PC, the version it made), for &quot;changed by …&quot;.</extracomment>
        <translation>另一位用户</translation>
    </message>
    <message>
        <source>{names} is editing this {thing}</source>
        <translation>{names} 正在编辑此{thing}</translation>
    </message>
</context>
<context>
    <name>PrintButtons</name>
    <message>
        <source>Print…</source>
        <extracomment>Where the last PDF went: the next one is offered the same folder.</extracomment>
        <translation>打印…</translation>
    </message>
    <message>
        <source>Print the contract from the company&apos;s template (with a preview).</source>
        <translation>按公司模板打印合同（先预览）。</translation>
    </message>
    <message>
        <source>Print quotation…</source>
        <translation>打印报价单…</translation>
    </message>
    <message>
        <source>Print the product lines as a quotation (with a preview).</source>
        <translation>把产品明细打印成报价单（先预览）。</translation>
    </message>
    <message>
        <source>Export PDF…</source>
        <translation>导出 PDF…</translation>
    </message>
    <message>
        <source>Save the printed document as a PDF file.</source>
        <translation>把打印的文档保存为 PDF 文件。</translation>
    </message>
    <message>
        <source>Print contract</source>
        <translation>打印合同</translation>
    </message>
    <message>
        <source>Print quotation</source>
        <translation>打印报价单</translation>
    </message>
    <message>
        <source>Export PDF</source>
        <translation>导出 PDF</translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>Quotation</source>
        <translation>报价单</translation>
    </message>
    <message>
        <source>the folder cannot be written to</source>
        <translation>该文件夹不可写入</translation>
    </message>
    <message>
        <source>the file could not be written</source>
        <translation>文件无法写入</translation>
    </message>
    <message>
        <source>Not saved: “{file}” ({reason}).</source>
        <translation>未保存：“{file}”（{reason}）。</translation>
    </message>
    <message>
        <source>Saved “{file}” ({n} page(s)).</source>
        <translation>已保存“{file}”（共 {n} 页）。</translation>
    </message>
</context>
<context>
    <name>PrintTemplatesPage</name>
    <message>
        <source>Contract</source>
        <translation>合同</translation>
    </message>
    <message>
        <source>Quotation</source>
        <translation>报价单</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Chinese default</source>
        <translation>中文默认模板</translation>
    </message>
    <message>
        <source>Put the default Chinese template in the editor (saved only with Save).</source>
        <translation>把默认的中文模板放入编辑器（点“保存”后才生效）。</translation>
    </message>
    <message>
        <source>English default</source>
        <translation>英文默认模板</translation>
    </message>
    <message>
        <source>Put the default English template in the editor (saved only with Save).</source>
        <translation>把默认的英文模板放入编辑器（点“保存”后才生效）。</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>恢复默认</translation>
    </message>
    <message>
        <source>Forget the saved template: the default one prints again.</source>
        <translation>删除已保存的模板：重新使用默认模板打印。</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>单据</translation>
    </message>
    <message>
        <source>Upload logo…</source>
        <translation>上传标志…</translation>
    </message>
    <message>
        <source>Remove logo</source>
        <translation>删除标志</translation>
    </message>
    <message>
        <source>Company logo</source>
        <translation>公司标志</translation>
    </message>
    <message>
        <source>Meaning</source>
        <translation>含义</translation>
    </message>
    <message>
        <source>Placeholder</source>
        <translation>占位符</translation>
    </message>
    <message>
        <source>Double-click a placeholder to put it at the cursor.</source>
        <translation>双击占位符即可插入到光标处。</translation>
    </message>
    <message>
        <source>Placeholders</source>
        <extracomment>The filled-in template as the printed page lays it out (scaled to the pane).</extracomment>
        <translation>占位符</translation>
    </message>
    <message>
        <source>HTML</source>
        <translation>HTML</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>Print templates</source>
        <translation>打印模板</translation>
    </message>
    <message>
        <source>Discard the changes to this template?</source>
        <translation>放弃对此模板的修改？</translation>
    </message>
    <message>
        <source>Repeat for each product line</source>
        <translation>每个产品明细重复一次</translation>
    </message>
    <message>
        <source>Template saved: printing uses it from now on.</source>
        <translation>模板已保存：此后打印都使用它。</translation>
    </message>
    <message>
        <source>Forget the saved template? The default one prints again.</source>
        <translation>删除已保存的模板？将重新使用默认模板打印。</translation>
    </message>
    <message>
        <source>The default template prints again.</source>
        <translation>已恢复使用默认模板打印。</translation>
    </message>
    <message>
        <source>No logo</source>
        <translation>无标志</translation>
    </message>
    <message>
        <source>Upload logo</source>
        <translation>上传标志</translation>
    </message>
    <message>
        <source>Pictures (*.png *.jpg *.jpeg *.gif *.bmp)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.gif *.bmp)</translation>
    </message>
    <message>
        <source>Logo saved.</source>
        <translation>标志已保存。</translation>
    </message>
    <message>
        <source>Logo removed.</source>
        <translation>标志已删除。</translation>
    </message>
</context>
<context>
    <name>ProductPicker</name>
    <message>
        <source>Add product</source>
        <translation>添加产品</translation>
    </message>
    <message>
        <source>Product name or code</source>
        <translation>搜索产品名称或编码</translation>
    </message>
</context>
<context>
    <name>ProductsTab</name>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Move</source>
        <translation>移动</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Add a category under the chosen one.</source>
        <translation>在所选分类下添加子分类。</translation>
    </message>
    <message>
        <source>On shelf</source>
        <translation>上架</translation>
    </message>
    <message>
        <source>Offer the selected products for new opportunities and contracts.</source>
        <translation>将选中的产品上架，可用于新的商机和合同。</translation>
    </message>
    <message>
        <source>Off shelf</source>
        <translation>下架</translation>
    </message>
    <message>
        <source>Stop offering the selected products; existing lines keep them.</source>
        <translation>将选中的产品下架；已有的产品明细不受影响。</translation>
    </message>
    <message>
        <source>{n} product</source>
        <translation>共 {n} 个产品</translation>
    </message>
    <message>
        <source>{n} products</source>
        <translation>共 {n} 个产品</translation>
    </message>
    <message>
        <source>Search name or code</source>
        <translation>搜索产品名称或编码</translation>
    </message>
    <message>
        <source>New product</source>
        <translation>新建产品</translation>
    </message>
    <message>
        <source>Edit product</source>
        <translation>编辑产品</translation>
    </message>
    <message>
        <source>Move {n} selected products to the recycle bin? They can be restored from there.</source>
        <translation>将选中的 {n} 个产品移入回收站？之后可从回收站恢复。</translation>
    </message>
    <message>
        <source>Recycle bin: products</source>
        <translation>回收站：产品</translation>
    </message>
    <message>
        <source>Operation log: {name}</source>
        <translation>操作记录：{name}</translation>
    </message>
    <message>
        <source>All products</source>
        <translation>全部产品</translation>
    </message>
    <message>
        <source>Categories saved.</source>
        <translation>产品分类已保存。</translation>
    </message>
    <message>
        <source>Delete the category “{name}”?</source>
        <translation>确定删除分类“{name}”？</translation>
    </message>
    <message>
        <source>Put on shelf: {n}</source>
        <translation>已上架：{n} 个</translation>
    </message>
    <message>
        <source>Taken off shelf: {n}</source>
        <translation>已下架：{n} 个</translation>
    </message>
</context>
<context>
    <name>PutInPoolDialog</name>
    <message>
        <source>Put in public pool</source>
        <translation>放入公海</translation>
    </message>
    <message>
        <source>Selected customers: {n}. They leave you and wait in the pool for someone to claim them; their team members are removed.</source>
        <translation>已选中 {n} 个客户。放入后您将不再负责这些客户，它们会在公海中等待他人领取；其团队成员将被移除。</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Why do you give these customers up? (required)</source>
        <translation>为什么放弃这些客户？（必填）</translation>
    </message>
    <message>
        <source>Pool:</source>
        <translation>公海：</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>原因：</translation>
    </message>
    <message>
        <source>Put in pool</source>
        <translation>放入公海</translation>
    </message>
    <message>
        <source>No pool</source>
        <translation>无公海</translation>
    </message>
    <message>
        <source>There is no enabled public pool. Ask an administrator to create one.</source>
        <translation>没有已启用的公海。请联系管理员创建。</translation>
    </message>
    <message>
        <source>Choose a pool.</source>
        <translation>请选择公海。</translation>
    </message>
</context>
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <extracomment>Qt&apos;s own Chinese catalogue (qtbase_zh_CN.qm) lacks these labels of its file dialog, which then reads half in English; ours has them (our translator is installed last, so it is asked first).</extracomment>
        <translation>查找范围(&amp;L)：</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>文件类型(&amp;T)：</translation>
    </message>
</context>
<context>
    <name>ReasonDialog</name>
    <message>
        <source>Mark as lost</source>
        <translation>标记为输单</translation>
    </message>
    <message>
        <source>Mark as invalid</source>
        <translation>标记为无效</translation>
    </message>
    <message>
        <source>Reason lost *</source>
        <translation>输单原因 *</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
</context>
<context>
    <name>RecordDetailWindow</name>
    <message>
        <source>Loading…</source>
        <extracomment>The header&apos;s approval badge: pending (待审批) in orange, rejected in red, withdrawn in grey. Tabs other modules add to every detail window of an entity (see ``register_detail_tabs``). The entity&apos;s view spec: header facts, header part, tabs and actions.</extracomment>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Edit</source>
        <extracomment>The header facts, one label each: a narrow window wraps between facts, never inside one.</extracomment>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Add follow-up</source>
        <translation>写跟进</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Lead</source>
        <translation>线索</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Opportunity</source>
        <translation>商机</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>Contract</source>
        <translation>合同</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>回款</translation>
    </message>
    <message>
        <source>Follow-ups</source>
        <translation>跟进记录</translation>
    </message>
    <message>
        <source>Activities</source>
        <translation>活动记录</translation>
    </message>
    <message>
        <source>Basic info</source>
        <translation>基本信息</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Team</source>
        <translation>相关团队</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>附件</translation>
    </message>
    <message>
        <source>Approvals</source>
        <translation>审批</translation>
    </message>
    <message>
        <source>Operation log</source>
        <translation>操作记录</translation>
    </message>
    <message>
        <source>Product lines</source>
        <translation>产品明细</translation>
    </message>
    <message>
        <source>Stage history</source>
        <translation>阶段变更记录</translation>
    </message>
    <message>
        <source>Payment plans</source>
        <translation>回款计划</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>回款</translation>
    </message>
    <message>
        <source>Not available</source>
        <extracomment>The entity&apos;s header part (``ViewSpec.header_part``), e.g. the opportunity&apos;s stage bar. &quot;张三 is editing this customer&quot; while another PC has its form open (issue 17).</extracomment>
        <translation>无法查看</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>★ Starred</source>
        <translation>★ 已关注</translation>
    </message>
    <message>
        <source>☆ Star</source>
        <translation>☆ 关注</translation>
    </message>
    <message>
        <source>Remove from my starred customers</source>
        <translation>从我关注的客户中移除</translation>
    </message>
    <message>
        <source>Add to my starred customers</source>
        <translation>加入我关注的客户</translation>
    </message>
    <message>
        <source>This lead was converted: add follow-ups to its customer.</source>
        <translation>该线索已转化：请在其客户下添加跟进记录。</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>Edit: {name}</source>
        <translation>编辑：{name}</translation>
    </message>
</context>
<context>
    <name>RecordDialog</name>
    <message>
        <source>You may view this field but not change it.</source>
        <extracomment>The caller&apos;s form field when it decides the editor (a form without a schema, a reference picker). What the form started from (as its editors read it); only fields that differ are saved.</extracomment>
        <translation>您可以查看此字段，但不能修改。</translation>
    </message>
    <message>
        <source>Owner: {owner} · Last saved {time}</source>
        <extracomment>Other people&apos;s saves and editing windows of this record (issue 17; edits only).</extracomment>
        <translation>负责人：{owner} · 最后保存于 {time}</translation>
    </message>
    <message>
        <source>Not saved: this may be a duplicate. Your entries are still here.</source>
        <translation>未保存：可能存在重复数据。您填写的内容仍然保留。</translation>
    </message>
    <message>
        <source>Not saved yet. Your entries are still here; save again when you are sure.</source>
        <translation>尚未保存。您填写的内容仍然保留，确认无误后请再次保存。</translation>
    </message>
    <message>
        <source>Not saved: someone else changed this record. Your entries are still here; save again to compare them with the other person&apos;s.</source>
        <translation>未保存：其他人修改了此记录。您填写的内容仍然保留，再次保存即可与对方的修改进行对比。</translation>
    </message>
</context>
<context>
    <name>RecordSettingsPage</name>
    <message>
        <source>Warn: show the matching customers and leads, then let the user save</source>
        <translation>提醒：显示匹配的客户和线索，然后允许员工继续保存</translation>
    </message>
    <message>
        <source>Block: refuse to save while a match exists</source>
        <translation>禁止：存在匹配时不允许保存</translation>
    </message>
    <message>
        <source>When a customer or lead is saved, its name, phone, mobile, e-mail and credit code are compared with every customer and lead of the company, including those the user cannot see, so two sales representatives do not register the same company.</source>
        <translation>保存客户或线索时，系统会将其名称、电话、手机、邮箱和统一社会信用代码与公司的所有客户和线索（包括该员工无权查看的）进行比对，避免两名销售人员登记同一家公司。</translation>
    </message>
    <message>
        <source>Duplicate-claim check</source>
        <translation>撞单检查</translation>
    </message>
    <message>
        <source>Whether customers with a deal are exempt from recycling into the public pool is set for each pool on the Public pools page.</source>
        <translation>已成交客户是否免于回收至公海，请在“公海设置”页面中为每个公海分别设置。</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Record settings</source>
        <translation>记录设置</translation>
    </message>
    <message>
        <source>Record settings saved.</source>
        <translation>记录设置已保存。</translation>
    </message>
</context>
<context>
    <name>RecordTab</name>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Move the selected records to the recycle bin.</source>
        <translation>将选中的记录移入回收站。</translation>
    </message>
    <message>
        <source>Transfer</source>
        <translation>转移</translation>
    </message>
    <message>
        <source>Give the selected records to another owner.</source>
        <translation>将选中的记录转给其他负责人。</translation>
    </message>
    <message>
        <source>Operation log</source>
        <translation>操作记录</translation>
    </message>
    <message>
        <source>Recycle bin</source>
        <translation>回收站</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>筛选</translation>
    </message>
    <message>
        <source>Show only the records that match conditions on their fields.</source>
        <translation>只显示字段满足条件的记录。</translation>
    </message>
    <message>
        <source>Clear filter</source>
        <translation>清除筛选</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Filter ({n})</source>
        <extracomment>The row of buttons above the list; module tabs and add-ons insert their buttons here. The Export button (list_export.py) where the spec offers it; hidden without the permission. The Import… button (ui/imports) for the modules the import engine knows.</extracomment>
        <translation>筛选（{n}）</translation>
    </message>
    <message>
        <source>Saved “{name}”.</source>
        <translation>已保存“{name}”。</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Moving to the recycle bin…</source>
        <translation>正在移入回收站…</translation>
    </message>
    <message>
        <source>Moved to the recycle bin: {n}</source>
        <translation>已移入回收站：{n} 条</translation>
    </message>
    <message>
        <source>Transferred: {n}</source>
        <translation>已转移：{n} 条</translation>
    </message>
</context>
<context>
    <name>RecycleBinDialog</name>
    <message>
        <source>Moved to bin</source>
        <translation>删除时间</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Put the selected records back into the list.</source>
        <translation>将选中的记录恢复到列表中。</translation>
    </message>
    <message>
        <source>In the recycle bin: {n}</source>
        <translation>回收站中共 {n} 条</translation>
    </message>
    <message>
        <source>Restored: {n}</source>
        <translation>已恢复：{n} 条</translation>
    </message>
    <message>
        <source>The recycle bin is empty.</source>
        <translation>回收站为空。</translation>
    </message>
    <message>
        <source>Restoring…</source>
        <translation>正在恢复…</translation>
    </message>
</context>
<context>
    <name>RegionEditor</name>
    <message>
        <source>Province</source>
        <translation>省份</translation>
    </message>
    <message>
        <source>City</source>
        <translation>城市</translation>
    </message>
    <message>
        <source>District</source>
        <translation>区县</translation>
    </message>
</context>
<context>
    <name>RelatedChoice</name>
    <message>
        <source>Its customer</source>
        <translation>所属客户</translation>
    </message>
    <message>
        <source>The contract&apos;s opportunity</source>
        <translation>合同所属商机</translation>
    </message>
    <message>
        <source>This record</source>
        <translation>本记录</translation>
    </message>
    <message>
        <source>Record:</source>
        <translation>作用于：</translation>
    </message>
</context>
<context>
    <name>RelatedRecordsTab</name>
    <message>
        <source>Open</source>
        <extracomment>What else makes the list stale besides a change of ``entity`` (e.g. the parent itself). A &quot;New …&quot; button and what it does: open the entity&apos;s form for a new record of this parent (``create(ctx, parent_widget, parent_id)``, or a subclass&apos;s ``create_new``); shown only to users who may create ``entity`` (or whom a subclass&apos;s ``may_create`` lets). &quot;N in all&quot; at the end of the button row. The column that takes the spare width (None: the last). The translation context of the texts above.</extracomment>
        <translation>打开</translation>
    </message>
    <message>
        <source>{n} in all</source>
        <extracomment>The row of buttons; a module adds its own here (``add_row_action`` for the selected row). The form &quot;New …&quot; opened last (open_record_form puts it here). Buttons for the selected row, with when each is enabled (see ``add_row_action``).</extracomment>
        <translation>共 {n} 条</translation>
    </message>
</context>
<context>
    <name>ReminderPopup</name>
    <message>
        <source>Reminders</source>
        <translation>提醒</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Snooze 10 minutes</source>
        <translation>10 分钟后再提醒</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Due now:</source>
        <translation>到期提醒：</translation>
    </message>
</context>
<context>
    <name>ReminderScheduler</name>
    <message>
        <source>Reminder</source>
        <extracomment>Up to when the server was last asked (what it answered is announced already). Keys of the reminders announced from the cache while the server was away.</extracomment>
        <translation>提醒</translation>
    </message>
</context>
<context>
    <name>ResetPasswordDialog</name>
    <message>
        <source>Reset password of {name}</source>
        <translation>重置 {name} 的密码</translation>
    </message>
    <message>
        <source>At least 8 characters with letters and digits</source>
        <translation>至少 8 位，须包含字母和数字</translation>
    </message>
    <message>
        <source>New password:</source>
        <translation>新密码：</translation>
    </message>
    <message>
        <source>Repeat:</source>
        <translation>确认密码：</translation>
    </message>
    <message>
        <source>The two passwords are not the same.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>RolesPage</name>
    <message>
        <source>New role</source>
        <translation>新建角色</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Description:</source>
        <translation>描述：</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Discard changes</source>
        <translation>放弃修改</translation>
    </message>
    <message>
        <source>Operation permissions:</source>
        <translation>功能权限：</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>{name} (not editable)</source>
        <translation>{name}（不可编辑）</translation>
    </message>
    <message>
        <source>{count} user(s) hold this role.</source>
        <translation>有 {count} 名员工拥有此角色。</translation>
    </message>
    <message>
        <source>the new role</source>
        <translation>新角色</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <source>Discard your changes to {name}?</source>
        <translation>放弃对“{name}”的修改？</translation>
    </message>
    <message>
        <source>The super administrator has every permission and sees all data. This role cannot be changed or deleted.</source>
        <translation>超级管理员拥有全部权限，可查看全部数据。此角色不能修改或删除。</translation>
    </message>
    <message>
        <source>A new role: give it a name, tick its permissions and save.</source>
        <translation>新角色：请填写名称，勾选权限后保存。</translation>
    </message>
    <message>
        <source>Role “{name}” saved.</source>
        <translation>角色“{name}”已保存。</translation>
    </message>
    <message>
        <source>Delete role</source>
        <translation>删除角色</translation>
    </message>
    <message>
        <source>Delete the role “{name}”?</source>
        <translation>确定删除角色“{name}”？</translation>
    </message>
</context>
<context>
    <name>RuleActions</name>
    <message>
        <source>Set a field</source>
        <extracomment>The translation context of these texts (they were written in ``rule_actions``). followup_added rules may test the new follow-up&apos;s fields (``followup.content`` …). The approval flows of the entity (a start_approval action names one), disabled ones too. What a condition may name: ``fields`` plus the derived ones (a contract&apos;s product category, with its category paths); None: just ``fields``. Kept apart from ``fields`` because the actions (set or copy a field) must never offer a derived field. The schemas of the records an action may act on instead (the record&apos;s customer, a contract&apos;s opportunity: ``rule_format.RELATED_TARGETS``), those the actor may read.</extracomment>
        <translation>设置字段值</translation>
    </message>
    <message>
        <source>Send a message</source>
        <translation>发送消息</translation>
    </message>
    <message>
        <source>Assign the owner</source>
        <translation>分配负责人</translation>
    </message>
    <message>
        <source>Add team members</source>
        <translation>添加相关团队成员</translation>
    </message>
    <message>
        <source>Create a related record</source>
        <translation>新建关联记录</translation>
    </message>
    <message>
        <source>Start an approval</source>
        <translation>发起审批</translation>
    </message>
    <message>
        <source>Create a task</source>
        <translation>创建任务</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>{field} (before the change)</source>
        <translation>{field}（修改前）</translation>
    </message>
    <message>
        <source> or </source>
        <translation> 或 </translation>
    </message>
    <message>
        <source> and </source>
        <translation> 且 </translation>
    </message>
    <message>
        <source>Always</source>
        <translation>总是</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Opportunity</source>
        <translation>商机</translation>
    </message>
    <message>
        <source>{record}: {action}</source>
        <translation>{record}：{action}</translation>
    </message>
    <message>
        <source>Set {field} = {source}</source>
        <translation>设置 {field} = {source}</translation>
    </message>
    <message>
        <source>Set {field} = {value}</source>
        <translation>设置 {field} = {value}</translation>
    </message>
    <message>
        <source>Message to {who}: {title}</source>
        <translation>发消息给{who}：{title}</translation>
    </message>
    <message>
        <source>Owner in turn: {users}</source>
        <translation>轮流分配负责人：{users}</translation>
    </message>
    <message>
        <source>Owner → {user}</source>
        <translation>负责人 → {user}</translation>
    </message>
    <message>
        <source>read-write</source>
        <translation>读写</translation>
    </message>
    <message>
        <source>read</source>
        <translation>只读</translation>
    </message>
    <message>
        <source>Team + {users} ({access})</source>
        <translation>相关团队 + {users}（{access}）</translation>
    </message>
    <message>
        <source>Create {entity}</source>
        <translation>新建{entity}</translation>
    </message>
    <message>
        <source>Start approval: {flow}</source>
        <translation>发起审批：{flow}</translation>
    </message>
    <message>
        <source>no due date</source>
        <translation>无截止日期</translation>
    </message>
    <message>
        <source>due today</source>
        <translation>今天到期</translation>
    </message>
    <message>
        <source>due in {n} days</source>
        <translation>{n} 天后到期</translation>
    </message>
    <message>
        <source>{due}, priority {priority}</source>
        <translation>{due}，优先级 {priority}</translation>
    </message>
    <message>
        <source>Task for {who}: {title} ({details})</source>
        <translation>给 {who} 的任务：{title}（{details}）</translation>
    </message>
    <message>
        <source>the owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>the owner&apos;s superior</source>
        <translation>负责人的上级</translation>
    </message>
    <message>
        <source>the team members</source>
        <translation>相关团队成员</translation>
    </message>
    <message>
        <source>role {role}</source>
        <translation>角色 {role}</translation>
    </message>
</context>
<context>
    <name>RuleEditorDialog</name>
    <message>
        <source>{field} (before the change)</source>
        <extracomment>Whether this version&apos;s rules have a date event (date field and days offset).</extracomment>
        <translation>{field}（变更前）</translation>
    </message>
    <message>
        <source>Follow-up: {field}</source>
        <translation>跟进记录：{field}</translation>
    </message>
    <message>
        <source>Edit rule</source>
        <translation>编辑规则</translation>
    </message>
    <message>
        <source>New rule</source>
        <translation>新建规则</translation>
    </message>
    <message>
        <source>Any value</source>
        <extracomment>What the condition may name: the entity&apos;s fields and its derived ones (product category).</extracomment>
        <translation>任意值</translation>
    </message>
    <message>
        <source> days</source>
        <translation> 天</translation>
    </message>
    <message>
        <source>Days after the date; a negative number means before it.</source>
        <translation>日期之后的天数；负数表示日期之前。</translation>
    </message>
    <message>
        <source>The rule runs</source>
        <translation>启用此规则</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Records:</source>
        <translation>模块：</translation>
    </message>
    <message>
        <source>When:</source>
        <translation>触发事件：</translation>
    </message>
    <message>
        <source>Field:</source>
        <translation>字段：</translation>
    </message>
    <message>
        <source>Changed from:</source>
        <translation>原值：</translation>
    </message>
    <message>
        <source>Changed to:</source>
        <translation>新值：</translation>
    </message>
    <message>
        <source>Date field:</source>
        <translation>日期字段：</translation>
    </message>
    <message>
        <source>Runs at:</source>
        <translation>执行时间：</translation>
    </message>
    <message>
        <source>If:</source>
        <translation>条件：</translation>
    </message>
    <message>
        <source>Then:</source>
        <translation>动作：</translation>
    </message>
    <message>
        <source>Enabled:</source>
        <translation>启用：</translation>
    </message>
</context>
<context>
    <name>RulesTable</name>
    <message>
        <source>When a customer has</source>
        <translation>回收条件</translation>
    </message>
    <message>
        <source>For days</source>
        <translation>天数</translation>
    </message>
    <message>
        <source>Customer level</source>
        <translation>客户级别</translation>
    </message>
    <message>
        <source>On</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Add rule</source>
        <translation>添加规则</translation>
    </message>
    <message>
        <source>Remove rule</source>
        <translation>删除规则</translation>
    </message>
    <message>
        <source>All levels</source>
        <translation>全部级别</translation>
    </message>
</context>
<context>
    <name>RunLogDialog</name>
    <message>
        <source>Run log: {name}</source>
        <translation>执行日志：{name}</translation>
    </message>
    <message>
        <source>Run log</source>
        <translation>执行日志</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>模块</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>The newest {n} runs, newest first.</source>
        <translation>最近 {n} 次执行，最新的在前。</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>已跳过</translation>
    </message>
</context>
<context>
    <name>SaveViewDialog</name>
    <message>
        <source>Save view</source>
        <translation>保存场景</translation>
    </message>
    <message>
        <source>Open this view by default</source>
        <translation>默认打开此场景</translation>
    </message>
    <message>
        <source>Saves the current filter and sort order.</source>
        <translation>保存当前的筛选条件和排序。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
</context>
<context>
    <name>SetFieldEditor</name>
    <message>
        <source>to the value</source>
        <translation>固定值</translation>
    </message>
    <message>
        <source>to the value of the field</source>
        <translation>其他字段的值</translation>
    </message>
    <message>
        <source>Field:</source>
        <translation>字段：</translation>
    </message>
    <message>
        <source>Set it:</source>
        <translation>设为：</translation>
    </message>
    <message>
        <source>Value:</source>
        <translation>值：</translation>
    </message>
    <message>
        <source>Choose the field to set.</source>
        <extracomment>The record whose field is set (the record&apos;s customer …); None: no choice offered.</extracomment>
        <translation>请选择要设置的字段。</translation>
    </message>
</context>
<context>
    <name>StageBar</name>
    <message>
        <source>Won</source>
        <extracomment>Fill and text colours per segment state.</extracomment>
        <translation>赢单</translation>
    </message>
    <message>
        <source>Lost</source>
        <translation>输单</translation>
    </message>
    <message>
        <source>Invalid</source>
        <translation>无效</translation>
    </message>
    <message>
        <source>Win rate {rate}%</source>
        <translation>赢率 {rate}%</translation>
    </message>
    <message>
        <source>No stages</source>
        <translation>暂无阶段</translation>
    </message>
    <message>
        <source>Stage group: {name}</source>
        <translation>阶段组：{name}</translation>
    </message>
    <message>
        <source>Click a stage to move the opportunity there.</source>
        <translation>点击阶段即可将商机移至该阶段。</translation>
    </message>
</context>
<context>
    <name>StageGroupDialog</name>
    <message>
        <source>Edit stage group</source>
        <translation>编辑阶段组</translation>
    </message>
    <message>
        <source>New stage group</source>
        <translation>新建阶段组</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Win rate %</source>
        <translation>赢率(%)</translation>
    </message>
    <message>
        <source>Add stage</source>
        <translation>添加阶段</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Opportunities of users in these departments (and their sub-departments) use this group. A group without departments is the default for everyone else.</source>
        <translation>这些部门（含下级部门）员工的商机使用此阶段组。未指定部门的阶段组为其他所有员工的默认阶段组。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Stages</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Departments</source>
        <translation>部门</translation>
    </message>
</context>
<context>
    <name>StageGroupsPage</name>
    <message>
        <source>An opportunity walks through its group&apos;s stages; the win rate of its stage is its chance of being won. Won, lost and invalid are not stages: they close it.</source>
        <translation>商机按其阶段组中的阶段推进，所处阶段的赢率即其赢单的可能性。赢单、输单和无效不是阶段，而是用于关闭商机。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Stages (win rate)</source>
        <translation>阶段（赢率）</translation>
    </message>
    <message>
        <source>Departments</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>已启用</translation>
    </message>
    <message>
        <source>Stage groups</source>
        <translation>阶段组</translation>
    </message>
    <message>
        <source>Default (everyone else)</source>
        <translation>默认（其他所有员工）</translation>
    </message>
    <message>
        <source>Delete stage group</source>
        <translation>删除阶段组</translation>
    </message>
    <message>
        <source>Delete the stage group “{name}”?</source>
        <translation>确定删除阶段组“{name}”？</translation>
    </message>
    <message>
        <source>Stage group “{name}” saved.</source>
        <translation>阶段组“{name}”已保存。</translation>
    </message>
</context>
<context>
    <name>StageHistoryTab</name>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>From</source>
        <translation>原阶段</translation>
    </message>
    <message>
        <source>To</source>
        <translation>新阶段</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>说明</translation>
    </message>
</context>
<context>
    <name>StartApprovalEditor</name>
    <message>
        <source>{name} (disabled)</source>
        <translation>{name}（已停用）</translation>
    </message>
    <message>
        <source>The record is submitted in its owner&apos;s name.</source>
        <translation>以记录负责人的名义提交。</translation>
    </message>
    <message>
        <source>This kind of record has no approval flow yet: add one under Approval flows.</source>
        <translation>此类记录还没有审批流：请先在“审批流”中添加。</translation>
    </message>
    <message>
        <source>Approval flow:</source>
        <translation>审批流：</translation>
    </message>
    <message>
        <source>Choose an approval flow.</source>
        <translation>请选择审批流。</translation>
    </message>
</context>
<context>
    <name>SubmitDialog</name>
    <message>
        <source>Submit for approval</source>
        <extracomment>How a task reads in the node chain: mark and colour by state.</extracomment>
        <translation>提交审批</translation>
    </message>
    <message>
        <source>Approval flow</source>
        <translation>审批流</translation>
    </message>
    <message>
        <source>Submit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Choose an approval flow.</source>
        <translation>请选择审批流。</translation>
    </message>
</context>
<context>
    <name>SwitchableListPage</name>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>TargetsPage</name>
    <message>
        <source>Year total</source>
        <translation>全年合计</translation>
    </message>
    <message>
        <source>Fill evenly</source>
        <translation>平均分配</translation>
    </message>
    <message>
        <source>Spread the year total over the twelve months of the selected row.</source>
        <translation>把全年合计平均分到所选行的十二个月。</translation>
    </message>
    <message>
        <source>Copy from last year</source>
        <translation>复制去年目标</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Read this year&apos;s targets of this kind from an Excel, WPS or csv sheet: one row per department or colleague, a column per month.</source>
        <translation>从 Excel、WPS 或 csv 表格读取本年度这一类目标：每个部门或员工一行，每月一列。</translation>
    </message>
    <message>
        <source>Year</source>
        <translation>年度</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Month {n}</source>
        <translation>{n}月</translation>
    </message>
    <message>
        <source>Sales targets</source>
        <translation>业绩目标</translation>
    </message>
    <message>
        <source>Whole company</source>
        <translation>全公司</translation>
    </message>
    <message>
        <source>Enter an amount, or leave the cell empty.</source>
        <translation>请输入金额，或留空。</translation>
    </message>
    <message>
        <source>Choose a row first.</source>
        <translation>请先选择一行。</translation>
    </message>
    <message>
        <source>Enter the year total to spread.</source>
        <translation>请输入要分配的全年合计。</translation>
    </message>
    <message>
        <source>Copied the targets of {n} departments and colleagues.</source>
        <translation>已复制 {n} 个部门和员工的目标。</translation>
    </message>
    <message>
        <source>Last year has no targets of this kind.</source>
        <translation>去年没有这类目标。</translation>
    </message>
    <message>
        <source>Import targets</source>
        <translation>导入目标</translation>
    </message>
    <message>
        <source>Spreadsheets (*.xlsx *.xlsm *.xls *.ods *.csv *.txt)</source>
        <translation>表格文件 (*.xlsx *.xlsm *.xls *.ods *.csv *.txt)</translation>
    </message>
    <message>
        <source>Nothing was imported; fix these rows and import again:</source>
        <translation>未导入任何数据；请修改以下各行后重新导入：</translation>
    </message>
    <message>
        <source>Targets imported ({n} rows).</source>
        <translation>目标已导入（{n} 行）。</translation>
    </message>
    <message>
        <source>Some cells do not hold an amount; they are marked in red.</source>
        <translation>有单元格不是金额，已用红色标出。</translation>
    </message>
    <message>
        <source>Targets saved.</source>
        <translation>目标已保存。</translation>
    </message>
</context>
<context>
    <name>TaskComments</name>
    <message>
        <source>Comment (@name tells a colleague), then Enter</source>
        <translation>输入评论（@姓名 可通知同事），按回车</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>评论</translation>
    </message>
</context>
<context>
    <name>TaskDialog</name>
    <message>
        <source>Edit task</source>
        <translation>编辑任务</translation>
    </message>
    <message>
        <source>New task</source>
        <translation>新建任务</translation>
    </message>
    <message>
        <source>What needs doing</source>
        <translation>要做什么</translation>
    </message>
    <message>
        <source>Due on</source>
        <translation>截止于</translation>
    </message>
    <message>
        <source>at</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Separate tags with commas</source>
        <translation>多个标签用逗号分隔</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>任务名称</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>截止</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>About</source>
        <translation>关联</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>New subtask, then Enter</source>
        <translation>输入子任务后按回车</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Participants</source>
        <translation>参与人</translation>
    </message>
    <message>
        <source>Subtasks</source>
        <translation>子任务</translation>
    </message>
    <message>
        <source>Comments ({n})</source>
        <extracomment>An existing task&apos;s files, comments and operation log (a new task has none until saved).</extracomment>
        <translation>评论（{n}）</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>附件</translation>
    </message>
    <message>
        <source>Operation log</source>
        <translation>操作记录</translation>
    </message>
</context>
<context>
    <name>TaskFiles</name>
    <message>
        <source>Add file…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Add a file to the task</source>
        <translation>为任务添加文件</translation>
    </message>
</context>
<context>
    <name>TaskWorkbench</name>
    <message>
        <source>New task</source>
        <translation>新建任务</translation>
    </message>
    <message>
        <source>Ctrl+N</source>
        <translation>Ctrl+N</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <source>Move to</source>
        <translation>移到</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>截止</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Subtasks</source>
        <translation>子任务</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>{n} tasks</source>
        <translation>{n} 个任务</translation>
    </message>
</context>
<context>
    <name>TeamMemberDialog</name>
    <message>
        <source>Read</source>
        <extracomment>Long texts take a whole row of the basic-info grid.</extracomment>
        <translation>只读</translation>
    </message>
    <message>
        <source>Read and write</source>
        <translation>读写</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Access</source>
        <translation>权限</translation>
    </message>
</context>
<context>
    <name>TeamTab</name>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Access</source>
        <translation>权限</translation>
    </message>
    <message>
        <source>Add member</source>
        <translation>添加成员</translation>
    </message>
    <message>
        <source>Change access</source>
        <translation>修改权限</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Team members see this record whatever their data scope; read-write members may also edit it.</source>
        <translation>团队成员不受数据范围限制，均可查看此记录；拥有读写权限的成员还可以编辑。</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Read and write</source>
        <translation>读写</translation>
    </message>
    <message>
        <source>Read</source>
        <translation>只读</translation>
    </message>
    <message>
        <source>Add team member</source>
        <translation>添加团队成员</translation>
    </message>
    <message>
        <source>Remove {name} from the team?</source>
        <translation>将 {name} 移出相关团队？</translation>
    </message>
    <message>
        <source>Team member removed.</source>
        <translation>已移除团队成员。</translation>
    </message>
    <message>
        <source>Team saved.</source>
        <translation>相关团队已保存。</translation>
    </message>
</context>
<context>
    <name>TextEditor</name>
    <message>
        <source>e.g. 0592-1234567 or 13800001234</source>
        <extracomment>Province-level divisions offered by the region editor (typing anything else is allowed). How a custom region field joins its parts into the one stored text.</extracomment>
        <translation>例如：0592-1234567 或 13800001234</translation>
    </message>
    <message>
        <source>name@example.com</source>
        <translation>name@example.com</translation>
    </message>
    <message>
        <source>https://</source>
        <translation>https://</translation>
    </message>
</context>
<context>
    <name>TileWidget</name>
    <message>
        <source>Click to open the records counted here.</source>
        <translation>点击查看计入此数的记录。</translation>
    </message>
    <message>
        <source>vs previous period: {change}</source>
        <translation>环比：{change}</translation>
    </message>
</context>
<context>
    <name>TodoListDialog</name>
    <message>
        <source>Task overdue</source>
        <translation>逾期任务</translation>
    </message>
    <message>
        <source>Task due today</source>
        <translation>今天到期的任务</translation>
    </message>
    <message>
        <source>Event today</source>
        <translation>今天的日程</translation>
    </message>
    <message>
        <source>Follow-up due today</source>
        <translation>今天待跟进</translation>
    </message>
    <message>
        <source>To do today</source>
        <translation>今日待办</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Nothing due today.</source>
        <translation>今天没有待办。</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>TodoStrip</name>
    <message>
        <source>To do:</source>
        <extracomment>Entities whose change can alter a count (&quot;*&quot; = everything). The ``TodoItem`` kinds the &quot;Tasks and events&quot; count counts (and its list shows). New counts are shown (tests wait for it).</extracomment>
        <translation>待办：</translation>
    </message>
    <message>
        <source>Your leads, customers and contacts to contact today</source>
        <translation>您今天需要联系的线索、客户和联系人</translation>
    </message>
    <message>
        <source>Your tasks overdue or due today and today&apos;s events (yours or ones you take part in)</source>
        <translation>您逾期或今天到期的任务和今天的日程（您负责或参与的）</translation>
    </message>
    <message>
        <source>Approvals waiting for your decision</source>
        <translation>等待您审批的事项</translation>
    </message>
    <message>
        <source>Your customers that a public-pool rule will take back within a few days</source>
        <translation>您名下近几天将被公海规则回收的客户</translation>
    </message>
    <message>
        <source>Follow-ups due today {n}</source>
        <translation>今日待跟进 {n}</translation>
    </message>
    <message>
        <source>Tasks and events {n}</source>
        <translation>任务和日程 {n}</translation>
    </message>
    <message>
        <source>Approvals waiting {n}</source>
        <translation>待审批 {n}</translation>
    </message>
    <message>
        <source>To be recycled soon {n}</source>
        <translation>即将回收 {n}</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <source>Transfer</source>
        <translation>转移</translation>
    </message>
    <message>
        <source>Selected records: {n}. Choose their new owner.</source>
        <translation>已选中 {n} 条记录，请选择新的负责人。</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Yes, read only</source>
        <translation>是，只读</translation>
    </message>
    <message>
        <source>Yes, read and write</source>
        <translation>是，读写</translation>
    </message>
    <message>
        <source>Keep the previous owner in the team</source>
        <translation>将原负责人保留在相关团队中</translation>
    </message>
    <message>
        <source>New owner</source>
        <translation>新负责人</translation>
    </message>
</context>
<context>
    <name>TransitionFlowDesigner</name>
    <message>
        <source>All records</source>
        <translation>全部记录</translation>
    </message>
    <message>
        <source>New approval flow</source>
        <translation>新建审批流</translation>
    </message>
</context>
<context>
    <name>TryRuleDialog</name>
    <message>
        <source>Try “{name}”</source>
        <translation>试运行“{name}”</translation>
    </message>
    <message>
        <source>The rule runs on the record as if its event had happened; nothing is saved, sent or logged.</source>
        <translation>假设事件已发生，在该记录上运行规则；不会保存、发送或记录任何内容。</translation>
    </message>
    <message>
        <source>Search {entity} by name, phone or e-mail</source>
        <translation>按名称、电话或邮箱搜索{entity}</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Try</source>
        <translation>试运行</translation>
    </message>
    <message>
        <source>What</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>变更前</translation>
    </message>
    <message>
        <source>After</source>
        <translation>变更后</translation>
    </message>
    <message>
        <source>Record number:</source>
        <translation>记录编号：</translation>
    </message>
    <message>
        <source>Nothing found.</source>
        <translation>未找到。</translation>
    </message>
    <message>
        <source>The rule would fail, and the save with it: {error}</source>
        <translation>规则将执行失败，保存也会随之失败：{error}</translation>
    </message>
    <message>
        <source>The condition holds: the rule would run.</source>
        <translation>条件满足：规则将会执行。</translation>
    </message>
    <message>
        <source>The condition does not hold: nothing would happen.</source>
        <translation>条件不满足：不会执行任何操作。</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>变更</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Records created</source>
        <translation>新建的记录</translation>
    </message>
    <message>
        <source>Rules that ran</source>
        <translation>已执行的规则</translation>
    </message>
    <message>
        <source>Rules skipped</source>
        <translation>已跳过的规则</translation>
    </message>
    <message>
        <source>Team: {user}</source>
        <translation>相关团队：{user}</translation>
    </message>
</context>
<context>
    <name>UnknownActionEditor</name>
    <message>
        <source>This editor cannot change this kind of action; it is kept as it is.</source>
        <translation>此编辑器无法修改此类动作，将保持原样。</translation>
    </message>
</context>
<context>
    <name>UserDialog</name>
    <message>
        <source>Edit user</source>
        <translation>编辑员工</translation>
    </message>
    <message>
        <source>New user</source>
        <translation>新建员工</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>男</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>女</translation>
    </message>
    <message>
        <source>{name} ({department})</source>
        <translation>{name}（{department}）</translation>
    </message>
    <message>
        <source>Mobile:</source>
        <translation>手机号：</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>姓名：</translation>
    </message>
    <message>
        <source>Gender:</source>
        <translation>性别：</translation>
    </message>
    <message>
        <source>E-mail:</source>
        <translation>邮箱：</translation>
    </message>
    <message>
        <source>Department:</source>
        <translation>部门：</translation>
    </message>
    <message>
        <source>Position:</source>
        <translation>职位：</translation>
    </message>
    <message>
        <source>Direct superior:</source>
        <translation>直属上级：</translation>
    </message>
    <message>
        <source>Roles:</source>
        <translation>角色：</translation>
    </message>
    <message>
        <source>At least 8 characters with letters and digits</source>
        <translation>至少 8 位，须包含字母和数字</translation>
    </message>
    <message>
        <source>Initial password:</source>
        <translation>初始密码：</translation>
    </message>
</context>
<context>
    <name>UserTableModel</name>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>职位</translation>
    </message>
    <message>
        <source>Superior</source>
        <translation>直属上级</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>已启用</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>Until {time}</source>
        <translation>锁定至 {time}</translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <source>Search by name or mobile</source>
        <translation>搜索姓名或手机号</translation>
    </message>
    <message>
        <source>New user</source>
        <translation>新建员工</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>Reset password</source>
        <translation>重置密码</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Enable</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>The password of {name} was reset.</source>
        <translation>{name} 的密码已重置。</translation>
    </message>
    <message>
        <source>Enable user</source>
        <translation>启用员工</translation>
    </message>
    <message>
        <source>Enable {name}? They can log in again.</source>
        <translation>启用 {name}？启用后可再次登录。</translation>
    </message>
    <message>
        <source>Disable user</source>
        <translation>停用员工</translation>
    </message>
    <message>
        <source>Disable {name}? They can no longer log in; their records stay theirs.</source>
        <translation>停用 {name}？停用后将无法登录，其负责的数据保持不变。</translation>
    </message>
</context>
<context>
    <name>ViewBar</name>
    <message>
        <source>Saved view</source>
        <translation>场景</translation>
    </message>
    <message>
        <source>(modified)</source>
        <translation>（已修改）</translation>
    </message>
    <message>
        <source>Save view…</source>
        <translation>保存场景…</translation>
    </message>
    <message>
        <source>Save the current filter and sort as a view.</source>
        <translation>将当前的筛选和排序保存为场景。</translation>
    </message>
    <message>
        <source>Delete view</source>
        <translation>删除场景</translation>
    </message>
    <message>
        <source>View</source>
        <translation>场景</translation>
    </message>
    <message>
        <source>Enter a name for the view.</source>
        <translation>请输入场景名称。</translation>
    </message>
    <message>
        <source>Delete the view “{name}”?</source>
        <translation>确定删除场景“{name}”？</translation>
    </message>
</context>
<context>
    <name>WorkLogDialog</name>
    <message>
        <source>Work log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Comment, then Enter</source>
        <translation>输入评论，按回车</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>WorkLogPage</name>
    <message>
        <source>What I did</source>
        <extracomment>How far back the list reads.</extracomment>
        <translation>今日完成的工作</translation>
    </message>
    <message>
        <source>What I plan next</source>
        <translation>下一步计划</translation>
    </message>
    <message>
        <source>Save report</source>
        <translation>保存日志</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>计划</translation>
    </message>
    <message>
        <source>My report</source>
        <translation>我的日志</translation>
    </message>
    <message>
        <source>By</source>
        <translation>提交人</translation>
    </message>
    <message>
        <source>Comment, then Enter</source>
        <translation>输入评论，按回车</translation>
    </message>
    <message>
        <source>Comment</source>
        <translation>评论</translation>
    </message>
    <message>
        <source>Reports I can read (last 31 days)</source>
        <translation>我可查看的日志（最近 31 天）</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>Done: {text}</source>
        <translation>完成：{text}</translation>
    </message>
    <message>
        <source>Plan: {text}</source>
        <translation>计划：{text}</translation>
    </message>
    <message>
        <source>About: {records}</source>
        <translation>相关：{records}</translation>
    </message>
</context>
<context>
    <name>Workbench</name>
    <message>
        <source>Customers</source>
        <extracomment>Entities whose change can alter what the workbench shows (&quot;*&quot; = everything). None when the user may not view customers at all.</extracomment>
        <translation>客户</translation>
    </message>
    <message>
        <source>Customers you can see</source>
        <translation>您可查看的客户</translation>
    </message>
    <message>
        <source>Open customers</source>
        <translation>打开客户列表</translation>
    </message>
    <message>
        <source>Your account</source>
        <translation>我的账号</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>公司</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>职位</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>组织架构</translation>
    </message>
    <message>
        <source>Set up departments, roles and colleagues under Administration. Each role decides what its users may do and whose records they see.</source>
        <translation>在“系统管理”中设置部门、角色和同事。角色决定其用户可以执行哪些操作、查看谁的数据。</translation>
    </message>
    <message>
        <source>Open administration</source>
        <translation>打开系统管理</translation>
    </message>
    <message>
        <source>Good morning, {name}</source>
        <translation>上午好，{name}</translation>
    </message>
    <message>
        <source>Good afternoon, {name}</source>
        <translation>下午好，{name}</translation>
    </message>
    <message>
        <source>Good evening, {name}</source>
        <translation>晚上好，{name}</translation>
    </message>
    <message>
        <source>No role yet</source>
        <translation>暂无角色</translation>
    </message>
    <message>
        <source>Your roles do not include viewing customers.</source>
        <translation>您的角色没有查看客户的权限。</translation>
    </message>
</context>
<context>
    <name>approvals</name>
    <message>
        <source>Pending</source>
        <translation>待审批</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>已通过</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <source>Withdrawn</source>
        <translation>已撤回</translation>
    </message>
    <message>
        <source>Submitted</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Resubmitted</source>
        <translation>重新提交</translation>
    </message>
    <message>
        <source>Approved automatically (no approver)</source>
        <translation>自动通过（无审批人）</translation>
    </message>
    <message>
        <source>No approver: sent to the approval administrator</source>
        <translation>无审批人：已转交审批管理员</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>已结束</translation>
    </message>
</context>
<context>
    <name>automation</name>
    <message>
        <source>Record created</source>
        <translation>新建记录</translation>
    </message>
    <message>
        <source>Record edited</source>
        <translation>编辑记录</translation>
    </message>
    <message>
        <source>Field changed</source>
        <translation>字段变更</translation>
    </message>
    <message>
        <source>Owner changed</source>
        <translation>负责人变更</translation>
    </message>
    <message>
        <source>Status changed</source>
        <translation>状态变更</translation>
    </message>
    <message>
        <source>Follow-up added</source>
        <translation>新增跟进记录</translation>
    </message>
    <message>
        <source>Put into a public pool</source>
        <translation>放入公海</translation>
    </message>
    <message>
        <source>Claimed or assigned from a public pool</source>
        <translation>从公海领取或分配</translation>
    </message>
    <message>
        <source>Approval approved</source>
        <translation>审批通过</translation>
    </message>
    <message>
        <source>Approval rejected</source>
        <translation>审批驳回</translation>
    </message>
    <message>
        <source>Date reached</source>
        <translation>到达指定日期</translation>
    </message>
    <message>
        <source>Task created about the record</source>
        <translation>关联任务已创建</translation>
    </message>
    <message>
        <source>Task about the record finished</source>
        <translation>关联任务已完成</translation>
    </message>
    <message>
        <source>Task about the record overdue</source>
        <translation>关联任务已逾期</translation>
    </message>
</context>
<context>
    <name>calendar</name>
    <message>
        <source>Mon</source>
        <translation>周一</translation>
    </message>
    <message>
        <source>Tue</source>
        <translation>周二</translation>
    </message>
    <message>
        <source>Wed</source>
        <translation>周三</translation>
    </message>
    <message>
        <source>Thu</source>
        <translation>周四</translation>
    </message>
    <message>
        <source>Fri</source>
        <translation>周五</translation>
    </message>
    <message>
        <source>Sat</source>
        <translation>周六</translation>
    </message>
    <message>
        <source>Sun</source>
        <translation>周日</translation>
    </message>
</context>
<context>
    <name>dashboard</name>
    <message>
        <source>New customers</source>
        <extracomment>Contracts and payments count once approved (a draft is not a sale). The field the period applies to, and whether it is a timestamp (else a date).</extracomment>
        <translation>新增客户</translation>
    </message>
    <message>
        <source>New contacts</source>
        <translation>新增联系人</translation>
    </message>
    <message>
        <source>New opportunities</source>
        <translation>新增商机</translation>
    </message>
    <message>
        <source>New contracts</source>
        <translation>新增合同</translation>
    </message>
    <message>
        <source>Payments received</source>
        <translation>回款金额</translation>
    </message>
    <message>
        <source>Follow-ups</source>
        <translation>跟进记录</translation>
    </message>
    <message>
        <source>Contract amount</source>
        <extracomment>completion key → (target kind, brief tile whose amount is the achievement)
----------
ranking key → (brief tile it ranks, by amount?, label)
----------
series key → (entity, date field, label)</extracomment>
        <translation>合同金额</translation>
    </message>
    <message>
        <source>Sales brief</source>
        <translation>销售简报</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Previous count</source>
        <translation>上期数量</translation>
    </message>
    <message>
        <source>Previous amount</source>
        <translation>上期金额</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>期间</translation>
    </message>
    <message>
        <source>Previous period</source>
        <translation>上期期间</translation>
    </message>
    <message>
        <source>Target completion</source>
        <translation>业绩指标</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <source>Achieved</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Completion</source>
        <translation>完成率</translation>
    </message>
    <message>
        <source>Gap</source>
        <translation>差额</translation>
    </message>
    <message>
        <source>Expected by today</source>
        <translation>按进度应完成</translation>
    </message>
    <message>
        <source>Weighted pipeline</source>
        <translation>加权商机金额</translation>
    </message>
    <message>
        <source>Sales funnel</source>
        <translation>销售漏斗</translation>
    </message>
    <message>
        <source>Stage group</source>
        <translation>阶段组</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>Conversion</source>
        <translation>转化率</translation>
    </message>
    <message>
        <source>Won</source>
        <translation>赢单</translation>
    </message>
    <message>
        <source>Lost</source>
        <translation>输单</translation>
    </message>
    <message>
        <source>Sales trend</source>
        <translation>销售趋势</translation>
    </message>
    <message>
        <source>Series</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>From</source>
        <translation>起</translation>
    </message>
    <message>
        <source>To</source>
        <translation>止</translation>
    </message>
    <message>
        <source>Last year</source>
        <translation>去年</translation>
    </message>
    <message>
        <source>Rankings</source>
        <translation>排行榜</translation>
    </message>
    <message>
        <source>Ranking</source>
        <translation>排行</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>名次</translation>
    </message>
    <message>
        <source>Colleague</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>Forgotten customers</source>
        <translation>遗忘提醒</translation>
    </message>
    <message>
        <source>Days without follow-up</source>
        <translation>未跟进天数</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>客户数</translation>
    </message>
    <message>
        <source>Never</source>
        <translation>从未跟进</translation>
    </message>
    <message>
        <source>Today</source>
        <extracomment>The company&apos;s time zone: days, weeks and months of every figure are counted in it.</extracomment>
        <translation>今天</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <source>This week</source>
        <translation>本周</translation>
    </message>
    <message>
        <source>Last week</source>
        <translation>上周</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>上月</translation>
    </message>
    <message>
        <source>This quarter</source>
        <translation>本季度</translation>
    </message>
    <message>
        <source>Last quarter</source>
        <translation>上季度</translation>
    </message>
    <message>
        <source>This year</source>
        <translation>本年</translation>
    </message>
    <message>
        <source>Custom range</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>Everything I can see</source>
        <extracomment>The modules whose scope decides which colleagues the owner choice offers.</extracomment>
        <translation>我能看到的全部</translation>
    </message>
    <message>
        <source>Me</source>
        <translation>仅本人</translation>
    </message>
    <message>
        <source>Me and my subordinates</source>
        <translation>本人及下属</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Department and sub-departments</source>
        <translation>部门及下级部门</translation>
    </message>
    <message>
        <source>One colleague</source>
        <translation>指定员工</translation>
    </message>
</context>
<context>
    <name>dictionaries</name>
    <message>
        <source>Customer level</source>
        <extracomment>Dictionaries a new company starts with: key → ((value, zh label, en label), ...) Names of the standard dictionaries (context &quot;dictionaries&quot;); a dictionary an administrator creates is named by its key, which is the name they typed.</extracomment>
        <translation>客户级别</translation>
    </message>
    <message>
        <source>Industry</source>
        <translation>行业</translation>
    </message>
    <message>
        <source>Customer source</source>
        <translation>客户来源</translation>
    </message>
    <message>
        <source>Follow-up kind</source>
        <translation>跟进方式</translation>
    </message>
    <message>
        <source>Order execution status</source>
        <translation>订单执行状态</translation>
    </message>
    <message>
        <source>Payment method</source>
        <translation>回款方式</translation>
    </message>
</context>
<context>
    <name>entities</name>
    <message>
        <source>customer</source>
        <extracomment>A single record of each kind, for messages such as &quot;The customer 5 does not exist&quot;.</extracomment>
        <translation>客户</translation>
    </message>
    <message>
        <source>department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>user</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>lead</source>
        <translation>线索</translation>
    </message>
    <message>
        <source>contact</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>follow-up</source>
        <translation>跟进记录</translation>
    </message>
    <message>
        <source>public pool</source>
        <translation>公海</translation>
    </message>
    <message>
        <source>product</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>opportunity</source>
        <translation>商机</translation>
    </message>
    <message>
        <source>contract</source>
        <translation>合同</translation>
    </message>
    <message>
        <source>payment</source>
        <translation>回款</translation>
    </message>
    <message>
        <source>task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>schedule event</source>
        <translation>日程</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <source>Unknown action.</source>
        <translation>未知的动作。</translation>
    </message>
    <message>
        <source>This record has no such related record.</source>
        <translation>该记录没有这种关联记录。</translation>
    </message>
    <message>
        <source>Choose who receives the message.</source>
        <translation>请选择消息接收人。</translation>
    </message>
    <message>
        <source>Creating a record needs a signed-in user: it cannot run in a scheduled job.</source>
        <translation>新建记录需要已登录的员工，无法在定时任务中执行。</translation>
    </message>
    <message>
        <source>This record cannot be created by a rule.</source>
        <translation>此类记录不能由规则创建。</translation>
    </message>
    <message>
        <source>Required.</source>
        <extracomment>The calendar&apos;s colour of each kind (an event may set its own). Reminders are at most this long before the start (the reminder window&apos;s reach). Minutes before the start (several). IANA zone the event repeats in (&quot;&quot; = this computer&apos;s zone).
----------
Where moving a task puts its due day, in days from today (None: no date, the inbox).
----------
PostgreSQL SQLSTATEs of a lost server: connection exceptions, and the server shutting down.
----------
Data rows (under the header) of the table. The module&apos;s largest record id when planning began: what this import writes (ids above it) is not &quot;already in the database&quot; for a later segment, as for a plan of the whole file. record id → the sheet row updating it.
----------
What a stage cell says when the opportunity is closed (赢单 / 输单 / 无效), by status. A lines sheet&apos;s columns (a second sheet of a contracts workbook: 合同编号, 产品, 数量, 单价).
----------
An unknown number&apos;s failures are forgotten after this long without a new one.
----------
module → the departments of its custom scope (only modules whose scope is CUSTOM). module → the departments its custom scope covers; required (non-empty) for every module whose scope is CUSTOM, refused for any other.
----------
Larger files belong on a file server: a LAN database should stay quick to back up.
----------
The group a new company starts with (seed 004&apos;s opportunity stages). An existing stage of the group (None: a new stage). Used by everyone whose department no other group names.
----------
(label, value) pairs of the form as submitted. The actor&apos;s open task on this instance (to approve or reject), if any. What is being approved, as the record is now (``_record_facts``): its amount (contracts, payments, opportunities), its number (contracts, payments) and its customer&apos;s name — &quot;&quot; when the customer is outside the actor&apos;s data scope.
----------
Entities each event can happen to (events not listed: every entity of ``ENTITIES``). How far a date rule may fire from its date, in days. date_reached only: the date / date-time field and the days after it (negative: before). Set for system messages (approvals): title and body are templates of translation context &quot;messages&quot;, to be filled with these values in the reader&apos;s language.</extracomment>
        <translation>必填。</translation>
    </message>
    <message>
        <source>The file is larger than {limit} MB. Keep large files on a file server and link to them.</source>
        <translation>文件超过 {limit} MB。大文件请放在文件服务器上，并在此处附上链接。</translation>
    </message>
    <message>
        <source>This database is already set up.</source>
        <translation>此数据库已完成设置。</translation>
    </message>
    <message>
        <source>Wrong mobile number or password.</source>
        <translation>手机号或密码错误。</translation>
    </message>
    <message>
        <source>The current password is wrong.</source>
        <translation>当前密码错误。</translation>
    </message>
    <message>
        <source>No such user.</source>
        <translation>该员工不存在。</translation>
    </message>
    <message>
        <source>There is no backup file at {path}.</source>
        <extracomment>How long a PostgreSQL restore waits for other sessions&apos; locks before giving up.</extracomment>
        <translation>{path} 处没有备份文件。</translation>
    </message>
    <message>
        <source>Unsupported database type: {backend}</source>
        <translation>不支持的数据库类型：{backend}</translation>
    </message>
    <message>
        <source>{path} is not a CRM backup: it has no schema version. Nothing was changed.</source>
        <translation>{path} 不是 CRM 备份：它没有数据库结构版本。未做任何更改。</translation>
    </message>
    <message>
        <source>{path} was made by a newer version of CRM Desktop (schema {revision}; this version knows up to {head}). Update the app before restoring it. Nothing was changed.</source>
        <translation>{path} 由更新版本的 CRM Desktop 创建（数据库结构 {revision}；当前版本最高支持 {head}）。请先升级程序再恢复。未做任何更改。</translation>
    </message>
    <message>
        <source>{path} is not a CRM backup: its schema version {revision} is unknown. Nothing was changed.</source>
        <translation>{path} 不是 CRM 备份：其数据库结构版本 {revision} 无法识别。未做任何更改。</translation>
    </message>
    <message>
        <source>{path} is not a CRM backup: {name} is missing from its schema {revision}. Nothing was changed.</source>
        <translation>{path} 不是 CRM 备份：其结构版本 {revision} 中缺少 {name}。未做任何更改。</translation>
    </message>
    <message>
        <source>{path} is not a CRM backup: it has {name}, which schema {revision} does not. Nothing was changed.</source>
        <translation>{path} 不是 CRM 备份：它含有 {name}，而结构版本 {revision} 中没有。未做任何更改。</translation>
    </message>
    <message>
        <source>An in-memory database cannot be backed up or restored.</source>
        <translation>内存数据库无法备份或恢复。</translation>
    </message>
    <message>
        <source>There is no database at {path}.</source>
        <translation>{path} 处没有数据库。</translation>
    </message>
    <message>
        <source>Choose a backup file other than the database itself.</source>
        <translation>请选择数据库文件本身以外的备份文件。</translation>
    </message>
    <message>
        <source>The backup failed: {error}</source>
        <translation>备份失败：{error}</translation>
    </message>
    <message>
        <source>{path} is a PostgreSQL backup; restore it into a PostgreSQL database. Nothing was changed.</source>
        <translation>{path} 是 PostgreSQL 备份，请将其恢复到 PostgreSQL 数据库。未做任何更改。</translation>
    </message>
    <message>
        <source>{path} is not a CRM backup (it is not an SQLite database). Nothing was changed.</source>
        <translation>{path} 不是 CRM 备份（不是 SQLite 数据库）。未做任何更改。</translation>
    </message>
    <message>
        <source>{path} is damaged ({error}). Nothing was changed.</source>
        <translation>{path} 已损坏（{error}）。未做任何更改。</translation>
    </message>
    <message>
        <source>{path} cannot be read as a CRM backup ({error}). Nothing was changed.</source>
        <translation>无法将 {path} 读取为 CRM 备份（{error}）。未做任何更改。</translation>
    </message>
    <message>
        <source>The backup file is the database itself.</source>
        <translation>备份文件就是数据库文件本身。</translation>
    </message>
    <message>
        <source>Could not take a safety copy of the database first: {error}. Nothing was changed.</source>
        <translation>无法先为数据库做安全副本：{error}。未做任何更改。</translation>
    </message>
    <message>
        <source>The restore failed: {error}. The database was not changed.</source>
        <translation>恢复失败：{error}。数据库未做任何更改。</translation>
    </message>
    <message>
        <source>The PostgreSQL program {program} was not found. Install the PostgreSQL client tools (the same major version as the server or newer) and put them on the PATH.</source>
        <translation>未找到 PostgreSQL 程序 {program}。请安装 PostgreSQL 客户端工具（主版本号不低于服务器），并将其加入 PATH。</translation>
    </message>
    <message>
        <source>{what} failed: {error}</source>
        <translation>{what} 失败：{error}</translation>
    </message>
    <message>
        <source>{path} is an SQLite backup; restore it into an SQLite database file. Nothing was changed.</source>
        <translation>{path} 是 SQLite 备份，请将其恢复到 SQLite 数据库文件。未做任何更改。</translation>
    </message>
    <message>
        <source>{path} is not a CRM backup (not a PostgreSQL custom-format dump). Nothing was changed.</source>
        <translation>{path} 不是 CRM 备份（不是 PostgreSQL 自定义格式转储）。未做任何更改。</translation>
    </message>
    <message>
        <source>The database is in use: close CRM Desktop on every computer, then restore again. Nothing was changed.</source>
        <translation>数据库正在使用中：请关闭所有电脑上的 CRM Desktop，然后重新恢复。未做任何更改。</translation>
    </message>
    <message>
        <source>There is no user to own the demo customers.</source>
        <extracomment>Customers&apos; creation times are spread over this many days before now. Industry (the customer&apos;s ``industry`` field) → words that appear in such companies&apos; names. No word appears under two industries, so (city, 字号, word, form) names are unique. A prime that shares no factor with the name space: i → i·P mod N visits every name once.</extracomment>
        <translation>没有可作为演示客户负责人的员工。</translation>
    </message>
    <message>
        <source>The demo company needs at least {count} users.</source>
        <extracomment>Every demo user other than the super administrator logs in with this password. (name, parent name); parents come first. The company itself is the top department. Actions granted on every record module (those a module does not have are skipped). Grants outside the record modules (organisation, public pool): (module, action) pairs. Sales people see the public pool and claim from it; managers also assign its customers. Managers and finance read the sales targets their dashboards measure against. The product catalogue has no data scope: who may see or maintain it is granted here. The province whose customers this person looks after (&quot;&quot; = owns no customers). The fixed core; superiors come before their subordinates. Extra sales representatives join these branches in turn: (department, superior key, territory).</extracomment>
        <translation>演示公司至少需要 {count} 名员工。</translation>
    </message>
    <message>
        <source>The number of customers cannot be negative.</source>
        <translation>客户数量不能为负数。</translation>
    </message>
    <message>
        <source>This database is already set up. Demo data can only be added to a new, empty database.</source>
        <translation>此数据库已完成设置。演示数据只能添加到新的空数据库中。</translation>
    </message>
    <message>
        <source>The top department cannot be moved.</source>
        <translation>顶级部门不能移动。</translation>
    </message>
    <message>
        <source>A department cannot be moved under itself or its sub-departments.</source>
        <translation>部门不能移动到其自身或其下级部门之下。</translation>
    </message>
    <message>
        <source>The top department cannot be deleted.</source>
        <translation>顶级部门不能删除。</translation>
    </message>
    <message>
        <source>“{name}” still has {count} user(s). Move them to another department first.</source>
        <translation>“{name}”下还有 {count} 名员工，请先将其调到其他部门。</translation>
    </message>
    <message>
        <source>“{name}” still has {count} sub-department(s). Delete or move them first.</source>
        <translation>“{name}”下还有 {count} 个下级部门，请先删除或移走。</translation>
    </message>
    <message>
        <source>You do not have permission to {action} in {module}.</source>
        <translation>您没有{module}的“{action}”权限。</translation>
    </message>
    <message>
        <source>The {entity} {record_id} does not exist or is not visible to you.</source>
        <translation>{entity} {record_id} 不存在，或您无权查看。</translation>
    </message>
    <message>
        <source>Someone else saved this {entity} while you were editing it. Fields: {fields}.</source>
        <translation>您编辑期间，其他人保存了此{entity}。涉及字段：{fields}。</translation>
    </message>
    <message>
        <source>Too many wrong passwords: this account is locked until {until}. Wait, or ask an administrator to reset the password.</source>
        <translation>密码错误次数过多：此账号已锁定至 {until}。请稍后再试，或请管理员重置密码。</translation>
    </message>
    <message>
        <source>This account is disabled. Ask an administrator.</source>
        <translation>此账号已停用，请联系管理员。</translation>
    </message>
    <message>
        <source>Use at least 8 characters with letters and digits.</source>
        <translation>密码至少 8 位，须包含字母和数字。</translation>
    </message>
    <message>
        <source>This comparison does not fit the field.</source>
        <extracomment>A custom field&apos;s key as it may appear inside SQL text: keys are generated (``f1``, ``f2``…, see ``schema_admin``); anything else is refused before it reaches a statement.</extracomment>
        <translation>此比较方式不适用于该字段。</translation>
    </message>
    <message>
        <source>Give both ends of the range.</source>
        <translation>请填写范围的两端。</translation>
    </message>
    <message>
        <source>Unknown field.</source>
        <extracomment>Entities that are numbered, with their default prefix, and the model holding the numbers. The period key of each reset (what the counter row is per). The date formats that tell the periods of each reset apart (else numbers would repeat).</extracomment>
        <translation>未知字段。</translation>
    </message>
    <message>
        <source>Only an administrator of the pool {pool} can assign its customers.</source>
        <extracomment>First key of PostgreSQL&apos;s two-int advisory locks taken here (&quot;POOL&quot; in ASCII). Customers the actor owns now (what ``owned_cap`` is compared with). Why it was put in (the giver&apos;s words) or, when recycled, the rule kind (``RULE_KINDS``).</extracomment>
        <translation>只有公海“{pool}”的管理员可以分配其中的客户。</translation>
    </message>
    <message>
        <source>You are not a member of the pool {pool}.</source>
        <translation>您不是公海“{pool}”的成员。</translation>
    </message>
    <message>
        <source>Use at most 100 characters.</source>
        <translation>最多 100 个字符。</translation>
    </message>
    <message>
        <source>Another pool has this name.</source>
        <translation>已有同名公海。</translation>
    </message>
    <message>
        <source>Enter 0 or a positive whole number.</source>
        <translation>请输入 0 或正整数。</translation>
    </message>
    <message>
        <source>Add at least one member: a user or a department.</source>
        <translation>请至少添加一个成员：员工或部门。</translation>
    </message>
    <message>
        <source>Choose a user or a department.</source>
        <translation>请选择员工或部门。</translation>
    </message>
    <message>
        <source>This member is listed twice.</source>
        <translation>该成员重复了。</translation>
    </message>
    <message>
        <source>Enter a number of days from 1 to 3650.</source>
        <translation>请输入 1 到 3650 之间的天数。</translation>
    </message>
    <message>
        <source>Remind fewer days ahead than the shortest recycle rule.</source>
        <translation>提前提醒的天数须少于最短的回收规则天数。</translation>
    </message>
    <message>
        <source>Choose at least one customer.</source>
        <translation>请至少选择一个客户。</translation>
    </message>
    <message>
        <source>Give a reason.</source>
        <translation>请填写原因。</translation>
    </message>
    <message>
        <source>Choose an enabled pool.</source>
        <translation>请选择已启用的公海。</translation>
    </message>
    <message>
        <source>The customer {name} is already in a public pool.</source>
        <translation>客户“{name}”已在公海中。</translation>
    </message>
    <message>
        <source>The customer {name} is locked: unlock it before putting it in a pool.</source>
        <translation>客户“{name}”已锁定：请先解锁再放入公海。</translation>
    </message>
    <message>
        <source>The customer {name} is not approved yet: it cannot be put in a pool.</source>
        <translation>客户“{name}”尚未审批通过，不能放入公海。</translation>
    </message>
    <message>
        <source>A customer you chose has already been claimed or is no longer in this pool.</source>
        <translation>所选客户中有客户已被领取，或已不在此公海中。</translation>
    </message>
    <message>
        <source>The customer {name} has already been claimed or is no longer in this pool.</source>
        <translation>客户“{name}”已被领取，或已不在此公海中。</translation>
    </message>
    <message>
        <source>The pool {pool} is disabled.</source>
        <translation>公海“{pool}”已停用。</translation>
    </message>
    <message>
        <source>You gave up the customer {name} recently: you can claim it again from {date}.</source>
        <translation>您最近放弃了客户“{name}”：{date} 起才能再次领取。</translation>
    </message>
    <message>
        <source>You may claim {limit} customers a day from this pool and have {left} left today.</source>
        <translation>此公海每天最多可领取 {limit} 个客户，您今天还可领取 {left} 个。</translation>
    </message>
    <message>
        <source>You own {owned} customers; to claim from this pool you may own at most {cap}.</source>
        <translation>您已拥有 {owned} 个客户；从此公海领取时最多可拥有 {cap} 个。</translation>
    </message>
    <message>
        <source>Choose an enabled user as owner.</source>
        <extracomment>Bound on the per-service cache of list statements (see ``_plain_page_query``). Values a list row computes from its fields when read (a contract&apos;s outstanding amount): name → (the fields it needs, all shown, or it is left out; how it is computed). Rows the module&apos;s lists and reads never show (e.g. customers waiting in a pool).</extracomment>
        <translation>请选择已启用的员工作为负责人。</translation>
    </message>
    <message>
        <source>This field is set by the system and cannot be changed here.</source>
        <translation>该字段由系统设置，不能在此修改。</translation>
    </message>
    <message>
        <source>Choose read or read-write.</source>
        <extracomment>What a customer&apos;s transfer may carry along (转移客户时同时转移): module → its model. Each is found by its ``customer_id``; the records keep their own module&apos;s permission and scope.</extracomment>
        <translation>请选择只读或读写。</translation>
    </message>
    <message>
        <source>Choose an owner within your data scope.</source>
        <translation>请选择您数据权限范围内的负责人。</translation>
    </message>
    <message>
        <source>This list cannot be filtered.</source>
        <translation>此列表不支持筛选。</translation>
    </message>
    <message>
        <source>The owner is not added to the team.</source>
        <translation>负责人无需加入相关团队。</translation>
    </message>
    <message>
        <source>Another role has this name.</source>
        <translation>已有同名角色。</translation>
    </message>
    <message>
        <source>Unknown permission.</source>
        <translation>未知权限。</translation>
    </message>
    <message>
        <source>Unknown module.</source>
        <extracomment>Lists sort and filter by it through an expression index (``field_index``).</extracomment>
        <translation>未知模块。</translation>
    </message>
    <message>
        <source>Departments can only be chosen for the custom data scope.</source>
        <translation>只有自定义数据范围才能选择部门。</translation>
    </message>
    <message>
        <source>Choose at least one department for each custom data scope.</source>
        <translation>每个自定义数据范围至少选择一个部门。</translation>
    </message>
    <message>
        <source>Unknown department.</source>
        <translation>部门不存在。</translation>
    </message>
    <message>
        <source>The super administrator role cannot be changed or deleted.</source>
        <translation>超级管理员角色不能修改或删除。</translation>
    </message>
    <message>
        <source>{count} user(s) still hold the role “{name}”. Give them another role first.</source>
        <translation>还有 {count} 名员工拥有角色“{name}”，请先为其分配其他角色。</translation>
    </message>
    <message>
        <source>Enter a valid date.</source>
        <translation>请输入有效的日期。</translation>
    </message>
    <message>
        <source>A voided contract cannot be changed.</source>
        <extracomment>A list row&apos;s outstanding amount, computed when read (when both amounts are shown).</extracomment>
        <translation>已作废的合同不能修改。</translation>
    </message>
    <message>
        <source>Choose an opportunity of this customer.</source>
        <translation>请选择此客户的商机。</translation>
    </message>
    <message>
        <source>Choose a contact of this customer.</source>
        <translation>请选择此客户的联系人。</translation>
    </message>
    <message>
        <source>Choose an enabled user.</source>
        <translation>请选择已启用的员工。</translation>
    </message>
    <message>
        <source>Only a draft, rejected or withdrawn contract can be submitted.</source>
        <translation>只有草稿、已驳回或已撤回的合同才能提交审批。</translation>
    </message>
    <message>
        <source>This record is not waiting for approval.</source>
        <translation>此记录不在待审批状态。</translation>
    </message>
    <message>
        <source>Only an approved contract has execution stages.</source>
        <translation>只有已审批通过的合同才有执行阶段。</translation>
    </message>
    <message>
        <source>Choose a listed value.</source>
        <extracomment>Per entity with product lines: the line model and its column naming the parent record.</extracomment>
        <translation>请从列表中选择。</translation>
    </message>
    <message>
        <source>Only an approved contract can be voided.</source>
        <translation>只有已审批通过的合同才能作废。</translation>
    </message>
    <message>
        <source>Choose a department.</source>
        <translation>请选择部门。</translation>
    </message>
    <message>
        <source>Another user has this mobile number.</source>
        <translation>该手机号已被其他员工使用。</translation>
    </message>
    <message>
        <source>Unknown role.</source>
        <translation>未知角色。</translation>
    </message>
    <message>
        <source>This superior would make a loop: a user cannot be above their own superior.</source>
        <translation>该直属上级会形成循环：员工不能是其上级的上级。</translation>
    </message>
    <message>
        <source>At least one enabled user must stay super administrator.</source>
        <translation>至少要保留一名已启用的超级管理员。</translation>
    </message>
    <message>
        <source>You cannot disable your own account.</source>
        <translation>不能停用自己的账号。</translation>
    </message>
    <message>
        <source>Dates before 1900 are not accepted.</source>
        <extracomment>Excel&apos;s day 0 in the 1900 date system (its serial 60 is the non-existent 1900-02-29, so serials from 61 on count from 1899-12-30). Serials past 9999-12-31 are not dates.</extracomment>
        <translation>不接受 1900 年以前的日期。</translation>
    </message>
    <message>
        <source>Not a date (write it as 2026-12-06).</source>
        <translation>不是日期（请写成 2026-12-06）。</translation>
    </message>
    <message>
        <source>Day and month order is ambiguous in this column (e.g. 06/12/2026): write the dates as 2026-12-06.</source>
        <translation>此列日期的日、月顺序无法确定（如 06/12/2026）：请写成 2026-12-06 的格式。</translation>
    </message>
    <message>
        <source>Not a number.</source>
        <translation>不是数字。</translation>
    </message>
    <message>
        <source>Negative amounts are not accepted here.</source>
        <translation>此处不接受负数金额。</translation>
    </message>
    <message>
        <source>Write yes or no (是/否, Y/N, √).</source>
        <translation>请填写是或否（是/否、Y/N、√）。</translation>
    </message>
    <message>
        <source>Enter a mobile number (digits only).</source>
        <translation>请输入手机号码（仅数字）。</translation>
    </message>
    <message>
        <source>Remove the unusable character (such as NUL) from this text.</source>
        <extracomment>A typed or imported text holds a NUL or a broken character that no database can store.</extracomment>
        <translation>请删除文本中无法保存的字符（如 NUL）。</translation>
    </message>
    <message>
        <source>Too long for this field: shorten it.</source>
        <extracomment>A value is longer than its field allows (shown next to the field).</extracomment>
        <translation>内容超出此字段的长度，请缩短。</translation>
    </message>
    <message>
        <source>Search for at most 200 characters.</source>
        <extracomment>Search-box or list filter text is too long; the number is MAX_SEARCH.</extracomment>
        <translation>搜索内容最多 200 个字符。</translation>
    </message>
    <message>
        <source>Enter a valid value for this field.</source>
        <extracomment>Accepted on create, refused by update (see the module docstring).</extracomment>
        <translation>请为此字段输入有效的值。</translation>
    </message>
    <message>
        <source>Choose a customer you can see.</source>
        <translation>请选择一个您可见的客户。</translation>
    </message>
    <message>
        <source>A contact stays with its customer.</source>
        <translation>联系人不能改到其他客户名下。</translation>
    </message>
    <message>
        <source>Use &quot;Set as primary contact&quot; to change the primary contact.</source>
        <translation>请使用“设为首要联系人”来更换首要联系人。</translation>
    </message>
    <message>
        <source>Enter a valid e-mail address.</source>
        <translation>请输入有效的邮箱地址。</translation>
    </message>
    <message>
        <source>Enter a valid phone number.</source>
        <translation>请输入有效的电话号码。</translation>
    </message>
    <message>
        <source>Another field has this name.</source>
        <translation>已有同名字段。</translation>
    </message>
    <message>
        <source>Choose the dictionary that lists the options.</source>
        <translation>请选择提供选项的数据字典。</translation>
    </message>
    <message>
        <source>Fields of this type cannot be indexed.</source>
        <translation>此类型的字段不能建立索引。</translation>
    </message>
    <message>
        <source>The type of a field cannot change; add a new field instead.</source>
        <translation>字段类型不能修改；请改为新增字段。</translation>
    </message>
    <message>
        <source>Give every field of the module once.</source>
        <translation>请把该模块的每个字段各列一次。</translation>
    </message>
    <message>
        <source>Every option needs a value and a label.</source>
        <extracomment>One of DEFAULT_DICTIONARIES (its name is translated through DICTIONARY_LABELS). (entity, field label, built-in) of every field that takes its options from it; built-in labels are English keys of the &quot;fields&quot; context.</extracomment>
        <translation>每个选项都需要值和名称。</translation>
    </message>
    <message>
        <source>Two options have the same value.</source>
        <translation>有两个选项的值相同。</translation>
    </message>
    <message>
        <source>Use at most 60 characters.</source>
        <translation>最多 60 个字符。</translation>
    </message>
    <message>
        <source>Another dictionary has this name.</source>
        <translation>已有同名数据字典。</translation>
    </message>
    <message>
        <source>Give at least one option.</source>
        <translation>请至少填写一个选项。</translation>
    </message>
    <message>
        <source>A required field cannot be hidden: nobody with this role could create a record.</source>
        <translation>必填字段不能隐藏：否则拥有此角色的人无法新建记录。</translation>
    </message>
    <message>
        <source>You may not change this field.</source>
        <translation>您无权修改此字段。</translation>
    </message>
    <message>
        <source>Another record already has this value.</source>
        <extracomment>PostgreSQL SQLSTATEs after which the whole transaction may simply run again. SQLite primary result codes of the same kind (the extended codes keep them in the low byte).</extracomment>
        <translation>已有其他记录使用此值。</translation>
    </message>
    <message>
        <source>The chosen record no longer exists.</source>
        <translation>所选的记录已不存在。</translation>
    </message>
    <message>
        <source>Someone else changed this record at the same moment. Nothing was saved: reload it and try again.</source>
        <translation>其他人刚刚同时修改了这条记录，本次没有保存。请重新加载后再试。</translation>
    </message>
    <message>
        <source>The database was busy with other people&apos;s changes, so this change was not saved. Try again in a moment.</source>
        <translation>数据库正忙于处理其他人的修改，本次修改没有保存。请稍后再试。</translation>
    </message>
    <message>
        <source>The database server cannot be reached, so this change was not saved. What you typed is still here: save again when the status bar says the connection is back.</source>
        <translation>无法连接数据库服务器，此修改未保存。您输入的内容仍在：状态栏提示连接恢复后请再次保存。</translation>
    </message>
    <message>
        <source>A value is too long or contains a character the database cannot store.</source>
        <translation>有值过长，或包含数据库无法保存的字符。</translation>
    </message>
    <message>
        <source>The database reported an error (the details are in the log). Reload and try again; if it keeps happening, tell your administrator.</source>
        <translation>数据库报告了一个错误（详情已写入日志）。请重新加载后再试；如果问题持续出现，请联系管理员。</translation>
    </message>
    <message>
        <source>Other records still refer to this one, so it was not removed.</source>
        <translation>仍有其他记录引用这条记录，因此没有删除。</translation>
    </message>
    <message>
        <source>Unknown view.</source>
        <translation>未知场景。</translation>
    </message>
    <message>
        <source>Choose a lead, customer, contact, opportunity or contract.</source>
        <extracomment>The records that take follow-ups, with their services. The targets with a follow-up summary (their lists sort by it, the to-do list and the pool&apos;s recycle rules read it); an opportunity&apos;s or contract&apos;s follow-ups are only listed.</extracomment>
        <translation>请选择线索、客户、联系人、商机或合同。</translation>
    </message>
    <message>
        <source>A follow-up belongs to whoever records it.</source>
        <translation>跟进记录只能属于填写它的人。</translation>
    </message>
    <message>
        <source>A follow-up cannot be edited. Move it to the recycle bin and add a new one.</source>
        <translation>跟进记录不能编辑，请移入回收站后重新添加。</translation>
    </message>
    <message>
        <source>The next contact must be later than this follow-up.</source>
        <translation>下次联系时间必须晚于本次跟进时间。</translation>
    </message>
    <message>
        <source>This lead was converted to a customer: add follow-ups to the customer instead.</source>
        <translation>该线索已转化为客户，请在客户下添加跟进记录。</translation>
    </message>
    <message>
        <source>This lead was already converted to a customer and can no longer be changed.</source>
        <extracomment>Lead field → customer field, copied on conversion. The lead&apos;s name is the company. Lead field → contact field; a contact is created only when ``contact_name`` is filled in. The follow-up summary travels to the customer as it is.</extracomment>
        <translation>该线索已转化为客户，不能再修改。</translation>
    </message>
    <message>
        <source>This lead is already marked invalid.</source>
        <translation>该线索已标记为无效。</translation>
    </message>
    <message>
        <source>Only a lead marked invalid can be reopened.</source>
        <translation>只有已标记为无效的线索才能重新启用。</translation>
    </message>
    <message>
        <source>The lead &quot;{name}&quot; is marked invalid: reopen it before converting it.</source>
        <translation>线索“{name}”已标记为无效：请先重新启用再转化。</translation>
    </message>
    <message>
        <source>This {entity} may already exist: {candidates}. It was not saved.</source>
        <extracomment>Shorter &quot;phone numbers&quot; (extensions, 110, placeholders) would match everything. Most candidates read from one index lookup; a key matching more is not a useful check. &quot;&quot; for a customer in a public pool (it has no owner). The input field that matched first: name, phone, mobile, email or credit_code. Every input field that matched. &quot;exact&quot; when any field is equal, &quot;similar&quot; when only the normalized name is.</extracomment>
        <translation>该{entity}可能已存在：{candidates}。未保存。</translation>
    </message>
    <message>
        <source>Choose warn or block.</source>
        <extracomment>The lookups of the check, in the order they are made: kind → what its term is. On a secure server (services/maintenance/server_duplicates.py) the candidate rows come from this SECURITY DEFINER function: a user&apos;s own role cannot read records outside its scope.</extracomment>
        <translation>请选择“提醒”或“禁止”。</translation>
    </message>
    <message>
        <source>The automation rule &quot;{rule}&quot; failed: {reason}</source>
        <translation>自动化规则“{rule}”执行失败：{reason}</translation>
    </message>
    <message>
        <source>Choose an event.</source>
        <translation>请选择触发事件。</translation>
    </message>
    <message>
        <source>This event does not happen to these records.</source>
        <translation>此类记录不会发生该事件。</translation>
    </message>
    <message>
        <source>Choose a status field.</source>
        <translation>请选择状态字段。</translation>
    </message>
    <message>
        <source>Choose a date field.</source>
        <translation>请选择日期字段。</translation>
    </message>
    <message>
        <source>Enter a number of days between -3650 and 3650.</source>
        <translation>请输入 -3650 到 3650 之间的天数。</translation>
    </message>
    <message>
        <source>Add at least one action.</source>
        <translation>请至少添加一个动作。</translation>
    </message>
    <message>
        <source>A task needs a title.</source>
        <translation>任务需要名称。</translation>
    </message>
    <message>
        <source>Choose an approval flow.</source>
        <translation>请选择审批流。</translation>
    </message>
    <message>
        <source>The list of rules changed; reload it.</source>
        <translation>规则列表已变化，请重新加载。</translation>
    </message>
    <message>
        <source>This approval was already decided by someone else.</source>
        <translation>此审批已由他人处理。</translation>
    </message>
    <message>
        <source>This record is waiting for approval: withdraw the approval to change it.</source>
        <translation>此记录正在等待审批：如需修改，请先撤回审批。</translation>
    </message>
    <message>
        <source>Each form field needs a label and a record field.</source>
        <translation>每个表单字段都需要名称和对应的记录字段。</translation>
    </message>
    <message>
        <source>Add at least one branch.</source>
        <translation>请至少添加一个分支。</translation>
    </message>
    <message>
        <source>Each branch needs at least one node.</source>
        <translation>每个分支至少需要一个节点。</translation>
    </message>
    <message>
        <source>Each node needs a mode and an approver.</source>
        <translation>每个节点都需要审批方式和审批人。</translation>
    </message>
    <message>
        <source>Choose the node&apos;s approvers.</source>
        <translation>请选择节点的审批人。</translation>
    </message>
    <message>
        <source>Choose the node&apos;s role.</source>
        <translation>请选择节点的角色。</translation>
    </message>
    <message>
        <source>Superior levels must be between 1 and 10.</source>
        <translation>上级层级须在 1 到 10 之间。</translation>
    </message>
    <message>
        <source>A change of this record is already waiting for approval.</source>
        <translation>此记录已有一项变更正在等待审批。</translation>
    </message>
    <message>
        <source>Choose an approval flow of this record&apos;s kind.</source>
        <extracomment>How an approved status flow sets a status, per (entity, field), when the owning service has its own rule for it (e.g. a deal status also stamps the deal time). Each takes (unit of work, row, new value) and returns whether it changed anything. The owning service&apos;s follow-on work when an instance on one of its records finishes, per entity: (unit of work, row, instance, approved). An approved contract sets its customer&apos;s deal status; an approved payment updates the received amounts. Per entity, the status field a node&apos;s ``&quot;sets_status&quot;`` value is written to (through STATUS_APPLIERS) when that node is approved: &quot;one flow whose nodes each set a status&quot;.</extracomment>
        <translation>请选择适用于此类记录的审批流。</translation>
    </message>
    <message>
        <source>The approval step &quot;{node}&quot; has no approver and there is no approval administrator.</source>
        <translation>审批节点“{node}”没有审批人，且未设置审批管理员。</translation>
    </message>
    <message>
        <source>This approval no longer exists.</source>
        <translation>此审批已不存在。</translation>
    </message>
    <message>
        <source>Say why you reject it.</source>
        <translation>请填写驳回原因。</translation>
    </message>
    <message>
        <source>Only a rejected or withdrawn approval can be resubmitted.</source>
        <translation>只有已驳回或已撤回的审批才能重新提交。</translation>
    </message>
    <message>
        <source>The record no longer exists.</source>
        <translation>该记录已不存在。</translation>
    </message>
    <message>
        <source>Choose what the flow gates.</source>
        <translation>请选择需审批的操作。</translation>
    </message>
    <message>
        <source>Choose the status field.</source>
        <translation>请选择状态字段。</translation>
    </message>
    <message>
        <source>This record is already waiting for this approval.</source>
        <translation>此记录已在等待此审批。</translation>
    </message>
    <message>
        <source>Choose a date part.</source>
        <translation>请选择日期部分。</translation>
    </message>
    <message>
        <source>Choose when the sequence starts again.</source>
        <translation>请选择流水号的重置周期。</translation>
    </message>
    <message>
        <source>The date part must show the period the sequence restarts in, or numbers would repeat.</source>
        <translation>日期部分须包含流水号的重置周期，否则编号会重复。</translation>
    </message>
    <message>
        <source>Use between 1 and 10 digits.</source>
        <translation>位数须在 1 到 10 之间。</translation>
    </message>
    <message>
        <source>The prefix is too long.</source>
        <translation>前缀过长。</translation>
    </message>
    <message>
        <source>No free number is left for this rule.</source>
        <translation>此规则已无可用编号。</translation>
    </message>
    <message>
        <source>This opportunity is closed: reopen it before changing its stage.</source>
        <translation>此商机已关闭：请先重新打开，再变更阶段。</translation>
    </message>
    <message>
        <source>Enter a number.</source>
        <extracomment>For a line without a product (a service, a fee): what it is.</extracomment>
        <translation>请输入数字。</translation>
    </message>
    <message>
        <source>The amount must not be negative.</source>
        <translation>金额不能为负数。</translation>
    </message>
    <message>
        <source>Choose contacts of this customer.</source>
        <translation>请选择此客户的联系人。</translation>
    </message>
    <message>
        <source>An opportunity stays with its customer.</source>
        <translation>商机不能更换所属客户。</translation>
    </message>
    <message>
        <source>Choose a stage of this opportunity&apos;s group.</source>
        <translation>请选择此商机所属阶段组中的阶段。</translation>
    </message>
    <message>
        <source>This is the last stage: mark the opportunity won.</source>
        <translation>这是最后一个阶段：请将商机标记为赢单。</translation>
    </message>
    <message>
        <source>This opportunity is already closed.</source>
        <translation>此商机已关闭。</translation>
    </message>
    <message>
        <source>This opportunity is not closed.</source>
        <translation>此商机未关闭。</translation>
    </message>
    <message>
        <source>The amount must be above 0.</source>
        <translation>金额必须大于 0。</translation>
    </message>
    <message>
        <source>The instalment number must be 1 or more.</source>
        <translation>期数至少为 1。</translation>
    </message>
    <message>
        <source>This contract already has this instalment.</source>
        <translation>此合同已有该期回款计划。</translation>
    </message>
    <message>
        <source>Remind between 0 and 365 days before.</source>
        <translation>提醒天数须在 0 到 365 之间。</translation>
    </message>
    <message>
        <source>Payments were recorded against this plan: it cannot be deleted.</source>
        <translation>此回款计划已有回款记录，不能删除。</translation>
    </message>
    <message>
        <source>This payment plan no longer exists.</source>
        <translation>此回款计划已不存在。</translation>
    </message>
    <message>
        <source>Choose an approved contract.</source>
        <translation>请选择已审批通过的合同。</translation>
    </message>
    <message>
        <source>The payment is more than the contract&apos;s outstanding amount ({outstanding}).</source>
        <extracomment>The field the rule is about (an import names that column in its error).</extracomment>
        <translation>回款金额超过了合同的未回款金额（{outstanding}）。</translation>
    </message>
    <message>
        <source>Choose a payment plan of this contract.</source>
        <translation>请选择此合同的回款计划。</translation>
    </message>
    <message>
        <source>An approved payment cannot be changed.</source>
        <translation>已审批通过的回款不能修改。</translation>
    </message>
    <message>
        <source>A payment stays on its contract: delete it and record a new one.</source>
        <translation>回款不能更换所属合同：请删除后重新登记。</translation>
    </message>
    <message>
        <source>An approved payment cannot be deleted.</source>
        <translation>已审批通过的回款不能删除。</translation>
    </message>
    <message>
        <source>Only a draft, rejected or withdrawn payment can be submitted.</source>
        <translation>只有草稿、已驳回或已撤回的回款才能提交审批。</translation>
    </message>
    <message>
        <source>This product does not exist.</source>
        <translation>该产品不存在。</translation>
    </message>
    <message>
        <source>This product is off the shelf: it cannot be added.</source>
        <translation>该产品已下架，不能添加。</translation>
    </message>
    <message>
        <source>Choose a product.</source>
        <translation>请选择产品。</translation>
    </message>
    <message>
        <source>Price must not be negative, quantity must be above 0 and the discount between 0 and 100.</source>
        <translation>售价不能为负数，数量必须大于 0，折扣须在 0 到 100 之间。</translation>
    </message>
    <message>
        <source>Another product already has this code (products in the recycle bin count too).</source>
        <translation>已有其他产品使用此编码（包括回收站中的产品）。</translation>
    </message>
    <message>
        <source>The price must not be negative.</source>
        <translation>价格不能为负数。</translation>
    </message>
    <message>
        <source>Choose an existing category.</source>
        <translation>请选择已有的分类。</translation>
    </message>
    <message>
        <source>A category cannot be moved under itself or its sub-categories.</source>
        <translation>分类不能移到其自身或其子分类下。</translation>
    </message>
    <message>
        <source>“{name}” still has {count} sub-category(ies). Delete or move them first.</source>
        <translation>“{name}”下还有 {count} 个子分类，请先删除或移走。</translation>
    </message>
    <message>
        <source>“{name}” still has {count} product(s), the recycle bin included. Move them first.</source>
        <translation>“{name}”下还有 {count} 个产品（含回收站中的产品），请先移走。</translation>
    </message>
    <message>
        <source>Add at least one stage.</source>
        <translation>请至少添加一个阶段。</translation>
    </message>
    <message>
        <source>Two stages of a group cannot have the same name.</source>
        <translation>同一阶段组中的阶段不能重名。</translation>
    </message>
    <message>
        <source>The win rate is a whole number from 0 to 100.</source>
        <translation>赢率须为 0 到 100 之间的整数。</translation>
    </message>
    <message>
        <source>Choose existing departments.</source>
        <translation>请选择已有的部门。</translation>
    </message>
    <message>
        <source>Another stage group already has this name.</source>
        <translation>已有同名阶段组。</translation>
    </message>
    <message>
        <source>Keep one enabled stage group without departments: it is everyone else&apos;s default.</source>
        <translation>请保留一个已启用且未指定部门的阶段组，作为其他所有员工的默认阶段组。</translation>
    </message>
    <message>
        <source>The list of stages changed; reload it.</source>
        <translation>阶段列表已变更，请重新加载。</translation>
    </message>
    <message>
        <source>The stage “{name}” is used by {count} opportunity(ies): it cannot be removed.</source>
        <translation>阶段“{name}”正被 {count} 个商机使用，不能删除。</translation>
    </message>
    <message>
        <source>“{name}” is used by {count} opportunity(ies): disable it instead.</source>
        <translation>“{name}”正被 {count} 个商机使用，请改为停用。</translation>
    </message>
    <message>
        <source>Your roles hide the stage or status of opportunities: the board cannot show them.</source>
        <extracomment>Cards a column reads at a time. The closed columns a board may add after the stages (their key is the status). The status of the column&apos;s opportunities: &quot;open&quot; for a stage, else the key. The stage&apos;s name (&quot;&quot; for won and lost: the screen names those). None when the actor may not see amounts.</extracomment>
        <translation>你的角色隐藏了商机的阶段或状态：看板无法显示。</translation>
    </message>
    <message>
        <source>The template is too long.</source>
        <extracomment>True: nothing stored, this is the default template in the asked language.</extracomment>
        <translation>模板太长。</translation>
    </message>
    <message>
        <source>A lines block cannot hold another one.</source>
        <translation>明细区块内不能再嵌套明细区块。</translation>
    </message>
    <message>
        <source>{name} closes a lines block that was not opened.</source>
        <translation>{name} 结束了一个没有开始的明细区块。</translation>
    </message>
    <message>
        <source>{name} stands for a product line: put it between {start} and {end}.</source>
        <translation>{name} 表示一行产品明细：请放在 {start} 和 {end} 之间。</translation>
    </message>
    <message>
        <source>The template uses an unknown placeholder: {name}.</source>
        <translation>模板使用了未知的占位符：{name}。</translation>
    </message>
    <message>
        <source>The lines block is not closed: add {end}.</source>
        <translation>明细区块没有结束：请加上 {end}。</translation>
    </message>
    <message>
        <source>The logo is larger than {size} KB: choose a smaller picture.</source>
        <translation>标志大于 {size} KB：请选择更小的图片。</translation>
    </message>
    <message>
        <source>Choose a PNG, JPEG, GIF or BMP picture.</source>
        <translation>请选择 PNG、JPEG、GIF 或 BMP 图片。</translation>
    </message>
    <message>
        <source>This approval flow asks you to choose the approver: choose who approves it.</source>
        <extracomment>Node modes in which several people approve (all of them, or the first one).</extracomment>
        <translation>此审批流程需要您选择审批人：请选择审批人。</translation>
    </message>
    <message>
        <source>Choose enabled users as approvers.</source>
        <translation>请选择已启用的员工作为审批人。</translation>
    </message>
    <message>
        <source>You cannot approve what you submit: choose someone else.</source>
        <translation>不能审批自己提交的内容：请选择其他人。</translation>
    </message>
    <message>
        <source>One person approves this step: choose one approver.</source>
        <translation>此步骤由一人审批：请只选择一位审批人。</translation>
    </message>
    <message>
        <source>A target has twelve months.</source>
        <extracomment>Nesting depth in the grid (company 0, top departments 1, …; users one below their department).</extracomment>
        <translation>目标须有十二个月。</translation>
    </message>
    <message>
        <source>A target is a number from 0 to 99,999,999,999,999.99.</source>
        <translation>目标须为 0 至 99,999,999,999,999.99 之间的数字。</translation>
    </message>
    <message>
        <source>Unknown department or user.</source>
        <translation>部门或用户不存在。</translation>
    </message>
    <message>
        <source>The sheet is empty.</source>
        <extracomment>The first rows under the header, as text. Fields the columns may go to: (name, English label; translate in context &quot;fields&quot;). Per column: the type a new custom field for it would take (FieldType value), or &quot;&quot; when the column is mapped or the importer may not add fields. sheet row → {field: (old, new)} The sheet rows that failed (their numbers), for the error file. 0-based index of the header row in the sheet (what the error file copies).
----------
update rows: record id → {field: (old, new)} (custom fields under their names). record id → its version when planned (an update writes only that version). category paths a product import creates.</extracomment>
        <translation>工作表为空。</translation>
    </message>
    <message>
        <source>{count} rows have errors and the import is all or nothing: nothing was imported.</source>
        <extracomment>Data rows planned at a time when a csv file is streamed: its memory stays that of a segment (a million prepared rows would take gigabytes), and a segment&apos;s duplicate lookups are one round of queries. A sheet (read whole by calamine anyway) is planned in larger segments. An import of more data rows than this is planned in a worker process, a segment ahead of this one, which writes (on two cores, planning and writing take about as long each).</extracomment>
        <translation>有 {count} 行存在错误，且设置为全部成功才导入：未导入任何数据。</translation>
    </message>
    <message>
        <source>Import batch {batch} is {status}: nothing to resume.</source>
        <translation>导入批次 {batch} 状态为 {status}：无需继续。</translation>
    </message>
    <message>
        <source>The file of import batch {batch} is gone or has changed since: undo the batch instead.</source>
        <translation>导入批次 {batch} 的文件已不存在或已被修改：请改为撤销该批次。</translation>
    </message>
    <message>
        <source>Import batch {batch} was undone already.</source>
        <translation>导入批次 {batch} 已撤销。</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Same {field} as row {row} of this file.</source>
        <translation>{field}与本文件第 {row} 行相同。</translation>
    </message>
    <message>
        <source>Already exists ({field}): skipped.</source>
        <translation>已存在（{field}）：已跳过。</translation>
    </message>
    <message>
        <source>Matches several existing records: cannot choose one to update.</source>
        <translation>与多条已有记录重复：无法确定要更新哪一条。</translation>
    </message>
    <message>
        <source>Matches an existing record you may not edit (owner: {owner}).</source>
        <translation>与一条您无权编辑的已有记录重复（负责人：{owner}）。</translation>
    </message>
    <message>
        <source>This record may already exist (owner: {owner}): duplicate claims are blocked.</source>
        <translation>此记录可能已存在（负责人：{owner}）：已禁止撞单。</translation>
    </message>
    <message>
        <source>Row {row} matches an existing record and the policy is to stop: nothing was imported.</source>
        <translation>第 {row} 行与已有记录重复，且重复处理方式为停止：未导入任何数据。</translation>
    </message>
    <message>
        <source>No product category has this name or path.</source>
        <translation>没有此名称或路径的产品分类。</translation>
    </message>
    <message>
        <source>The header row is past the end of the sheet.</source>
        <translation>标题行超出了工作表末尾。</translation>
    </message>
    <message>
        <source>Several columns are called {names}: rename them so that each header is different.</source>
        <translation>有多列名为 {names}：请重命名，使每列标题各不相同。</translation>
    </message>
    <message>
        <source>The sheet has a header but no rows to import.</source>
        <translation>工作表只有标题行，没有可导入的数据。</translation>
    </message>
    <message>
        <source>Already up to date: skipped.</source>
        <translation>内容相同：已跳过。</translation>
    </message>
    <message>
        <source>No enabled user has this name or mobile number.</source>
        <translation>没有此姓名或手机号的启用用户。</translation>
    </message>
    <message>
        <source>Several users have this name: write their mobile number instead.</source>
        <translation>多个用户同名：请改填其手机号。</translation>
    </message>
    <message>
        <source>You may only import records for yourself (no transfer permission).</source>
        <translation>您只能导入负责人为自己的记录（无转移权限）。</translation>
    </message>
    <message>
        <source>Not a value of the dictionary: choose a listed value.</source>
        <translation>不是数据字典中的值：请选择列出的值。</translation>
    </message>
    <message>
        <source>The cell holds more than 32,767 characters.</source>
        <translation>单元格超过 32,767 个字符。</translation>
    </message>
    <message>
        <source>No customer you can see has this name, credit code or phone.</source>
        <translation>您可见的客户中没有此名称、信用代码或电话。</translation>
    </message>
    <message>
        <source>Several customers match: use the credit code.</source>
        <translation>匹配到多个客户：请使用统一社会信用代码。</translation>
    </message>
    <message>
        <source>No department has this name or path.</source>
        <translation>没有此名称或路径的部门。</translation>
    </message>
    <message>
        <source>The column {column} is mapped to an unknown field.</source>
        <extracomment>create · update · skip · fail (decided by the duplicate policy) Whether the row&apos;s own owner cell named the owner (an empty cell keeps a record&apos;s owner). column index → raw cell → its outcome (``prepare``). Dictionary values met in the file but not in the dictionary (&quot;add&quot; mode).</extracomment>
        <translation>列“{column}”对应了未知字段。</translation>
    </message>
    <message>
        <source>The column {column} cannot be imported: it is set by the system.</source>
        <translation>列“{column}”不能导入：由系统设置。</translation>
    </message>
    <message>
        <source>The columns {first} and {second} both go to the same field: map only one.</source>
        <translation>列“{first}”和“{second}”对应了同一字段：只能对应其中一列。</translation>
    </message>
    <message>
        <source>The column {column} cannot be imported: the field is read-only for you.</source>
        <translation>列“{column}”不能导入：该字段对您只读。</translation>
    </message>
    <message>
        <source>The required column {field} is missing.</source>
        <translation>缺少必填列“{field}”。</translation>
    </message>
    <message>
        <source>The file {file} does not exist.</source>
        <extracomment>More columns than any real list has; a sheet claiming 16,384 is refused, not read. Excel&apos;s own limit on the characters in a cell.</extracomment>
        <translation>文件 {file} 不存在。</translation>
    </message>
    <message>
        <source>The file is empty.</source>
        <translation>文件为空。</translation>
    </message>
    <message>
        <source>Choose an Excel, WPS or OpenDocument spreadsheet (.xlsx, .xls, .ods) or a .csv file.</source>
        <translation>请选择 Excel、WPS 或 OpenDocument 表格（.xlsx、.xls、.ods）或 .csv 文件。</translation>
    </message>
    <message>
        <source>The workbook is protected with a password: open it, remove the password and save it again.</source>
        <translation>工作簿设有密码保护：请打开后取消密码并重新保存。</translation>
    </message>
    <message>
        <source>This is a Word document, not a spreadsheet.</source>
        <translation>这是 Word 文档，不是表格。</translation>
    </message>
    <message>
        <source>The file is not an Excel workbook.</source>
        <translation>文件不是 Excel 工作簿。</translation>
    </message>
    <message>
        <source>The file is damaged or is not a spreadsheet: open it in Excel or WPS and save it again.</source>
        <translation>文件已损坏或不是表格文件：请用 Excel 或 WPS 打开后重新保存。</translation>
    </message>
    <message>
        <source>The workbook has no sheets.</source>
        <translation>工作簿中没有工作表。</translation>
    </message>
    <message>
        <source>The workbook has no sheet called {sheet}.</source>
        <translation>工作簿中没有名为“{sheet}”的工作表。</translation>
    </message>
    <message>
        <source>The sheet {sheet} has {columns} columns; at most 500 can be imported.</source>
        <translation>工作表“{sheet}”有 {columns} 列；最多可导入 500 列。</translation>
    </message>
    <message>
        <source>The sheet {sheet} has {rows} rows; at most 1,000,000 can be imported at once: split it.</source>
        <translation>工作表“{sheet}”有 {rows} 行；一次最多导入 1,000,000 行：请拆分。</translation>
    </message>
    <message>
        <source>The sheet {sheet} has more than 1,000,000 rows: split it into smaller files.</source>
        <translation>工作表“{sheet}”超过 1,000,000 行：请拆分为多个文件。</translation>
    </message>
    <message>
        <source>The file joins several files with different encodings (a byte-order mark in the middle): save it again as one file.</source>
        <extracomment>Bytes read at a time from a text file (its encoding is checked block by block).</extracomment>
        <translation>文件由多个编码不同的文件拼接而成（中间有字节顺序标记）：请重新保存为一个文件。</translation>
    </message>
    <message>
        <source>The file contains NUL characters: it is not a text file, or it is damaged.</source>
        <translation>文件含有 NUL 字符：不是文本文件，或已损坏。</translation>
    </message>
    <message>
        <source>The file mixes text encodings, or is not a text file: save it again as UTF-8 csv.</source>
        <translation>文件混用了多种文本编码，或不是文本文件：请重新保存为 UTF-8 编码的 csv。</translation>
    </message>
    <message>
        <source>The text file is not a valid csv file.</source>
        <translation>文本文件不是有效的 csv 文件。</translation>
    </message>
    <message>
        <source>Someone changed this record while it was imported: not updated.</source>
        <translation>导入期间此记录已被他人修改：未更新。</translation>
    </message>
    <message>
        <source>Choose a customer, contact, opportunity, contract or lead.</source>
        <extracomment>The records a task or an event can be about, with the column that names each.</extracomment>
        <translation>请选择客户、联系人、商机、合同或线索。</translation>
    </message>
    <message>
        <source>The related record does not exist.</source>
        <translation>关联的记录不存在。</translation>
    </message>
    <message>
        <source>Choose enabled users.</source>
        <translation>请选择启用的用户。</translation>
    </message>
    <message>
        <source>Choose how it repeats.</source>
        <translation>请选择重复方式。</translation>
    </message>
    <message>
        <source>Repeat every 1 to 999.</source>
        <translation>间隔为 1 到 999。</translation>
    </message>
    <message>
        <source>Repeat 1 to 5000 times.</source>
        <translation>重复 1 到 5000 次。</translation>
    </message>
    <message>
        <source>The repeat ends before it starts.</source>
        <translation>重复的结束日期早于开始。</translation>
    </message>
    <message>
        <source>End on a day or after a number of times, not both.</source>
        <translation>按日期或按次数结束，只能选一种。</translation>
    </message>
    <message>
        <source>The end is before the start.</source>
        <translation>结束时间早于开始时间。</translation>
    </message>
    <message>
        <source>Choose a type.</source>
        <translation>请选择类型。</translation>
    </message>
    <message>
        <source>Remind between 0 minutes and 30 days before.</source>
        <translation>提醒时间须在提前 0 分钟到 30 天之间。</translation>
    </message>
    <message>
        <source>Choose which occurrences to change.</source>
        <translation>请选择要修改哪些日程。</translation>
    </message>
    <message>
        <source>Choose a lead, customer or contact.</source>
        <translation>请选择线索、客户或联系人。</translation>
    </message>
    <message>
        <source>At most 200 characters.</source>
        <translation>最多 200 个字符。</translation>
    </message>
    <message>
        <source>Choose a priority.</source>
        <translation>请选择优先级。</translation>
    </message>
    <message>
        <source>The due date is before the start.</source>
        <translation>截止日期早于开始日期。</translation>
    </message>
    <message>
        <source>A subtask needs a title.</source>
        <translation>子任务需要名称。</translation>
    </message>
    <message>
        <source>You may give tasks only to people inside your data scope.</source>
        <translation>只能把任务分配给您数据权限范围内的人。</translation>
    </message>
    <message>
        <source>A task cannot be moved there.</source>
        <translation>任务不能移到这里。</translation>
    </message>
    <message>
        <source>No stage of the owner&apos;s stage group has this name.</source>
        <translation>负责人所在的阶段组中没有这个名称的阶段。</translation>
    </message>
    <message>
        <source>No contract you can see has this number or name.</source>
        <translation>您可见的合同中没有这个编号或名称。</translation>
    </message>
    <message>
        <source>Several contracts have this name: use the contract number.</source>
        <translation>有多个合同同名：请改用合同编号。</translation>
    </message>
    <message>
        <source>No product has this code or name.</source>
        <translation>没有这个编码或名称的产品。</translation>
    </message>
    <message>
        <source>A product line of the contract on row {row}.</source>
        <translation>第 {row} 行合同的一条产品明细。</translation>
    </message>
    <message>
        <source>Already exists: contracts and payments are not changed by an import.</source>
        <translation>已存在：导入不会修改合同和回款。</translation>
    </message>
    <message>
        <source>The quantity must be above 0.</source>
        <translation>数量必须大于 0。</translation>
    </message>
    <message>
        <source>Choose a daily or weekly report.</source>
        <translation>请选择日报或周报。</translation>
    </message>
    <message>
        <source>The text is too long.</source>
        <translation>内容太长。</translation>
    </message>
    <message>
        <source>No header row with the twelve months (1月 … 12月) was found.</source>
        <translation>没有找到包含十二个月（1月 … 12月）的表头行。</translation>
    </message>
    <message>
        <source>No department or employee has this name (or write 公司 for the company).</source>
        <translation>没有这个名称的部门或员工（全公司请写“公司”）。</translation>
    </message>
    <message>
        <source>Several employees have this name: write their mobile number instead.</source>
        <translation>有多名员工同名：请改写其手机号。</translation>
    </message>
    <message>
        <source>Write a whole number of customers.</source>
        <translation>请填写整数个客户。</translation>
    </message>
</context>
<context>
    <name>fields</name>
    <message>
        <source>Owner</source>
        <extracomment>0-based index of the header row in the sheet; None: detected. header text → field name (or pseudo-target); None: remembered or automatic. skip · update · create · stop Records without an owner column go to this user (default: the importer). reject · add (dictionary values not in the dictionary) Automation rules and approval flows run for imported records (off by default). Import nothing unless every row is valid. header → field type (FieldType value): columns that become new custom fields first. What the wizard calls the columns that are not fields (context &quot;fields&quot;).
----------
Built-in fields have a column; custom ones live in the ``custom`` JSON under ``key``. Set by the system, never typed in a form (owner, times, summaries). Custom fields only: the key inside ``custom``. Fixed options for built-in selects that are not dictionaries: ((value, label), ...) Computed from related rows, never stored (``DERIVED_FIELDS``): only conditions and list filters know it; forms, columns, sorting, import and export never see it. The most characters a text value may have (a multiselect: each chosen value); None for non-text fields. Built-in: the column&apos;s length (``String(n)``), or ``LONG_TEXT_MAX`` for an unbounded text column; custom: ``CUSTOM_TEXT_MAX`` / ``LONG_TEXT_MAX`` (textarea). The services enforce it on both backends (SQLite does not check lengths). Custom fields only: an expression index serves sorting and filtering by it.</extracomment>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Contact phone</source>
        <translation>联系电话</translation>
    </message>
    <message>
        <source>Contact&apos;s position</source>
        <translation>职务</translation>
    </message>
    <message>
        <source>Lost reason</source>
        <translation>输单原因</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Unit price</source>
        <translation>单价</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>更新时间</translation>
    </message>
    <message>
        <source>Last follow-up</source>
        <translation>最后跟进时间</translation>
    </message>
    <message>
        <source>Last follow-up content</source>
        <translation>最后跟进内容</translation>
    </message>
    <message>
        <source>Next contact</source>
        <translation>下次联系时间</translation>
    </message>
    <message>
        <source>Province</source>
        <translation>省份</translation>
    </message>
    <message>
        <source>City</source>
        <translation>城市</translation>
    </message>
    <message>
        <source>District</source>
        <translation>区县</translation>
    </message>
    <message>
        <source>Name</source>
        <extracomment>Rows of the members tree and rules table the service may name in &quot;members.N&quot; / &quot;rules.N.x&quot;.</extracomment>
        <translation>名称</translation>
    </message>
    <message>
        <source>Phone</source>
        <extracomment>Used while the &quot;followup_kind&quot; dictionary has no items (value → English label, context &quot;fields&quot;).</extracomment>
        <translation>电话</translation>
    </message>
    <message>
        <source>Visit</source>
        <translation>上门拜访</translation>
    </message>
    <message>
        <source>SMS</source>
        <translation>短信</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>邮箱</translation>
    </message>
    <message>
        <source>Customer name</source>
        <translation>客户名称</translation>
    </message>
    <message>
        <source>Website</source>
        <translation>网址</translation>
    </message>
    <message>
        <source>Unified social credit code</source>
        <translation>统一社会信用代码</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Industry</source>
        <translation>行业</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Remark</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Deal status</source>
        <translation>成交状态</translation>
    </message>
    <message>
        <source>No deal</source>
        <translation>未成交</translation>
    </message>
    <message>
        <source>Deal</source>
        <translation>已成交</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Approval</source>
        <translation>审批状态</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Pending approval</source>
        <translation>待审批</translation>
    </message>
    <message>
        <source>Approval rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <source>Approval withdrawn</source>
        <translation>已撤回</translation>
    </message>
    <message>
        <source>Lead name</source>
        <translation>线索名称</translation>
    </message>
    <message>
        <source>Contact person</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新线索</translation>
    </message>
    <message>
        <source>Following</source>
        <translation>跟进中</translation>
    </message>
    <message>
        <source>Converted</source>
        <translation>已转化</translation>
    </message>
    <message>
        <source>Invalid</source>
        <translation>无效</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Gender</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>男</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>女</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>职务</translation>
    </message>
    <message>
        <source>Product name</source>
        <translation>产品名称</translation>
    </message>
    <message>
        <source>Product code</source>
        <translation>产品编码</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>产品分类</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Standard price</source>
        <translation>标准价格</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>On shelf</source>
        <translation>上架</translation>
    </message>
    <message>
        <source>Opportunity name</source>
        <translation>商机名称</translation>
    </message>
    <message>
        <source>Amount</source>
        <extracomment>The list says &quot;Amount&quot; where the form says &quot;Contract amount&quot;; &quot;outstanding&quot; is computed.</extracomment>
        <translation>金额</translation>
    </message>
    <message>
        <source>Expected close date</source>
        <translation>预计成交日期</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>Won</source>
        <translation>赢单</translation>
    </message>
    <message>
        <source>Lost</source>
        <translation>输单</translation>
    </message>
    <message>
        <source>Reason lost</source>
        <translation>输单原因</translation>
    </message>
    <message>
        <source>Contract number</source>
        <translation>合同编号</translation>
    </message>
    <message>
        <source>Contract name</source>
        <translation>合同名称</translation>
    </message>
    <message>
        <source>Opportunity</source>
        <translation>商机</translation>
    </message>
    <message>
        <source>Customer signer</source>
        <translation>客户签约人</translation>
    </message>
    <message>
        <source>Our signer</source>
        <translation>我方签约人</translation>
    </message>
    <message>
        <source>Contract amount</source>
        <translation>合同金额</translation>
    </message>
    <message>
        <source>Order date</source>
        <translation>下单日期</translation>
    </message>
    <message>
        <source>Start date</source>
        <translation>开始日期</translation>
    </message>
    <message>
        <source>End date</source>
        <translation>结束日期</translation>
    </message>
    <message>
        <source>Payment terms</source>
        <translation>付款条件</translation>
    </message>
    <message>
        <source>Approval status</source>
        <translation>审批状态</translation>
    </message>
    <message>
        <source>Draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>已通过</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>已作废</translation>
    </message>
    <message>
        <source>Execution status</source>
        <translation>执行状态</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>已回款</translation>
    </message>
    <message>
        <source>Payment number</source>
        <translation>回款编号</translation>
    </message>
    <message>
        <source>Contract</source>
        <translation>合同</translation>
    </message>
    <message>
        <source>Payment plan</source>
        <translation>回款计划</translation>
    </message>
    <message>
        <source>Payment date</source>
        <translation>回款日期</translation>
    </message>
    <message>
        <source>Payment method</source>
        <translation>回款方式</translation>
    </message>
    <message>
        <source>Product category</source>
        <extracomment>Derived fields (issue 5: approval branches &quot;by product category&quot;): values computed from a record&apos;s related rows when a condition or a list filter names them (services.derived_fields computes them and turns them into SQL). They are not in ``load_fields`` / ``schema_for``, so forms, list columns, sorting, import and export never offer them; ``with_derived`` adds them where conditions are checked and edited. product_category: the categories of the record&apos;s lines&apos; products, each with every category above it (a line in 数控机床 under 设备 is &quot;in&quot; 设备 too); a multiselect of category ids.</extracomment>
        <translation>产品分类</translation>
    </message>
    <message>
        <source>WeChat</source>
        <translation>微信</translation>
    </message>
    <message>
        <source>Primary contact</source>
        <translation>首要联系人</translation>
    </message>
    <message>
        <source>Decision maker</source>
        <translation>关键决策人</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>生日</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>跟进方式</translation>
    </message>
    <message>
        <source>Content</source>
        <translation>跟进内容</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>跟进时间</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Contact name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>成员</translation>
    </message>
    <message>
        <source>Recycle rules</source>
        <translation>回收规则</translation>
    </message>
    <message>
        <source>Daily claim limit</source>
        <translation>每日领取上限</translation>
    </message>
    <message>
        <source>Owned customers cap</source>
        <translation>拥有客户上限</translation>
    </message>
    <message>
        <source>Reclaim cooldown</source>
        <translation>再次领取间隔</translation>
    </message>
    <message>
        <source>Remind before recycling</source>
        <translation>回收前提醒</translation>
    </message>
    <message>
        <source>Pool</source>
        <translation>公海</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>User</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Outstanding</source>
        <translation>未回款</translation>
    </message>
    <message>
        <source>Product lines</source>
        <translation>产品明细</translation>
    </message>
    <message>
        <source>Not yet received</source>
        <extracomment>How a plan&apos;s status reads (the service computes it).</extracomment>
        <translation>未回款</translation>
    </message>
    <message>
        <source>Partly received</source>
        <translation>部分回款</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
    <message>
        <source>Contracts</source>
        <translation>合同</translation>
    </message>
    <message>
        <source>No contracts yet.</source>
        <translation>暂无合同。</translation>
    </message>
    <message>
        <source>New contract…</source>
        <translation>新建合同…</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>回款</translation>
    </message>
    <message>
        <source>No payments yet.</source>
        <translation>暂无回款。</translation>
    </message>
    <message>
        <source>This contact takes part in no opportunity yet.</source>
        <translation>该联系人尚未参与任何商机。</translation>
    </message>
    <message>
        <source>No contracts of this opportunity yet.</source>
        <translation>该商机尚无合同。</translation>
    </message>
    <message>
        <source>New contract from this opportunity</source>
        <translation>由此商机新建合同</translation>
    </message>
    <message>
        <source>Opportunities</source>
        <extracomment>Tab titles are the window&apos;s words. Tabs listing another module&apos;s records that belong to this one (see related.py).</extracomment>
        <translation>商机</translation>
    </message>
    <message>
        <source>This customer has no opportunities yet.</source>
        <translation>该客户暂无商机。</translation>
    </message>
    <message>
        <source>New opportunity…</source>
        <translation>新建商机…</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Custom data scope</source>
        <translation>自定义数据范围</translation>
    </message>
</context>
<context>
    <name>fieldtypes</name>
    <message>
        <source>Single-line text</source>
        <extracomment>What each field type is called in the administration screens (context &quot;fieldtypes&quot;).</extracomment>
        <translation>单行文本</translation>
    </message>
    <message>
        <source>Multi-line text</source>
        <translation>多行文本</translation>
    </message>
    <message>
        <source>Integer</source>
        <translation>整数</translation>
    </message>
    <message>
        <source>Decimal</source>
        <translation>小数</translation>
    </message>
    <message>
        <source>Money</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Percentage</source>
        <translation>百分比</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Date and time</source>
        <translation>日期时间</translation>
    </message>
    <message>
        <source>Single select</source>
        <translation>单选</translation>
    </message>
    <message>
        <source>Multiple select</source>
        <translation>多选</translation>
    </message>
    <message>
        <source>Yes / no</source>
        <translation>是/否</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>邮箱</translation>
    </message>
    <message>
        <source>Web address</source>
        <translation>网址</translation>
    </message>
    <message>
        <source>User</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>地区</translation>
    </message>
    <message>
        <source>Attachment</source>
        <translation>附件</translation>
    </message>
</context>
<context>
    <name>filters</name>
    <message>
        <source>is</source>
        <translation>等于</translation>
    </message>
    <message>
        <source>is not</source>
        <translation>不等于</translation>
    </message>
    <message>
        <source>contains</source>
        <translation>包含</translation>
    </message>
    <message>
        <source>does not contain</source>
        <translation>不包含</translation>
    </message>
    <message>
        <source>is empty</source>
        <translation>为空</translation>
    </message>
    <message>
        <source>is not empty</source>
        <translation>不为空</translation>
    </message>
    <message>
        <source>greater than</source>
        <translation>大于</translation>
    </message>
    <message>
        <source>at least</source>
        <translation>大于等于</translation>
    </message>
    <message>
        <source>less than</source>
        <translation>小于</translation>
    </message>
    <message>
        <source>at most</source>
        <translation>小于等于</translation>
    </message>
    <message>
        <source>between</source>
        <translation>介于</translation>
    </message>
    <message>
        <source>is one of</source>
        <translation>属于</translation>
    </message>
</context>
<context>
    <name>messages</name>
    <message>
        <source>Approval waiting for you: {flow} — {record}</source>
        <translation>待您审批：{flow} — {record}</translation>
    </message>
    <message>
        <source>Approved: {flow} — {record}</source>
        <translation>审批已通过：{flow} — {record}</translation>
    </message>
    <message>
        <source>Rejected: {flow} — {record}</source>
        <translation>审批被驳回：{flow} — {record}</translation>
    </message>
    <message>
        <source>Payment due {date}: {contract} instalment {instalment}, {amount}</source>
        <translation>回款到期 {date}：{contract} 第 {instalment} 期，{amount}</translation>
    </message>
    <message>
        <source>Reminder: {title}</source>
        <extracomment>The record to open from the notification.</extracomment>
        <translation>提醒：{title}</translation>
    </message>
    <message>
        <source>{when}</source>
        <translation>{when}</translation>
    </message>
    <message>
        <source>{author} mentioned you on the task {task}</source>
        <translation>{author} 在任务“{task}”中提到了你</translation>
    </message>
    <message>
        <source>{name} commented on your work log</source>
        <translation>{name} 评论了你的日志</translation>
    </message>
</context>
<context>
    <name>permissions</name>
    <message>
        <source>Self</source>
        <translation>本人</translation>
    </message>
    <message>
        <source>Self and subordinates</source>
        <translation>本人及下属</translation>
    </message>
    <message>
        <source>Own department</source>
        <translation>本部门</translation>
    </message>
    <message>
        <source>Department and sub-departments</source>
        <translation>本部门及下属部门</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>View</source>
        <translation>查看</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Transfer</source>
        <translation>转移</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Enable / disable</source>
        <translation>启用/停用</translation>
    </message>
    <message>
        <source>Reset password</source>
        <translation>重置密码</translation>
    </message>
    <message>
        <source>Convert</source>
        <translation>转化</translation>
    </message>
    <message>
        <source>Put in pool</source>
        <translation>放入公海</translation>
    </message>
    <message>
        <source>Lock / unlock</source>
        <translation>锁定/解锁</translation>
    </message>
    <message>
        <source>Claim</source>
        <translation>领取</translation>
    </message>
    <message>
        <source>Assign</source>
        <translation>分配</translation>
    </message>
    <message>
        <source>Manage settings</source>
        <translation>管理设置</translation>
    </message>
    <message>
        <source>Leads</source>
        <extracomment>Scoped modules hold owned records and take a data scope per role.</extracomment>
        <translation>线索</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Follow-ups</source>
        <translation>跟进记录</translation>
    </message>
    <message>
        <source>System settings</source>
        <translation>系统设置</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>Opportunities</source>
        <translation>商机</translation>
    </message>
    <message>
        <source>Contracts</source>
        <translation>合同</translation>
    </message>
    <message>
        <source>Modify approved orders</source>
        <translation>修改已审批订单</translation>
    </message>
    <message>
        <source>Void</source>
        <translation>作废</translation>
    </message>
    <message>
        <source>Payments</source>
        <translation>回款</translation>
    </message>
    <message>
        <source>Sales targets</source>
        <translation>业绩目标</translation>
    </message>
    <message>
        <source>Set targets</source>
        <translation>设置目标</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>日程</translation>
    </message>
    <message>
        <source>Public pool</source>
        <translation>公海</translation>
    </message>
    <message>
        <source>Departments</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>角色</translation>
    </message>
</context>
<context>
    <name>pool</name>
    <message>
        <source>No follow-up</source>
        <translation>未跟进</translation>
    </message>
    <message>
        <source>No deal</source>
        <translation>未成交</translation>
    </message>
    <message>
        <source>No opportunity</source>
        <translation>无商机</translation>
    </message>
</context>
<context>
    <name>print</name>
    <message>
        <source>Our company&apos;s name</source>
        <extracomment>The module whose &quot;view&quot; permission reads a kind&apos;s template. The name the rendered HTML gives the logo image (the caller registers the picture under it). A logo is read with every printed page: keep it a logo, not a photograph. Document placeholders → what they stand for (untranslated, context &quot;print&quot;).</extracomment>
        <translation>我方公司名称</translation>
    </message>
    <message>
        <source>Our company&apos;s logo (a picture)</source>
        <translation>我方公司标志（图片）</translation>
    </message>
    <message>
        <source>Contract number</source>
        <translation>合同编号</translation>
    </message>
    <message>
        <source>Contract or opportunity name</source>
        <translation>合同或商机名称</translation>
    </message>
    <message>
        <source>Customer name</source>
        <translation>客户名称</translation>
    </message>
    <message>
        <source>Customer address</source>
        <translation>客户地址</translation>
    </message>
    <message>
        <source>Customer phone</source>
        <translation>客户电话</translation>
    </message>
    <message>
        <source>Customer mobile</source>
        <translation>客户手机</translation>
    </message>
    <message>
        <source>Customer e-mail</source>
        <translation>客户邮箱</translation>
    </message>
    <message>
        <source>Customer&apos;s contact (the signer of a contract)</source>
        <translation>客户联系人（合同的客户签约人）</translation>
    </message>
    <message>
        <source>Contact&apos;s position</source>
        <translation>联系人职务</translation>
    </message>
    <message>
        <source>Contact&apos;s phone</source>
        <translation>联系人电话</translation>
    </message>
    <message>
        <source>Contact&apos;s mobile</source>
        <translation>联系人手机</translation>
    </message>
    <message>
        <source>Contact&apos;s e-mail</source>
        <translation>联系人邮箱</translation>
    </message>
    <message>
        <source>Our signer (a quotation: its owner)</source>
        <translation>我方签约人（报价单：负责人）</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Order date</source>
        <translation>下单日期</translation>
    </message>
    <message>
        <source>Start date</source>
        <translation>开始日期</translation>
    </message>
    <message>
        <source>End date</source>
        <translation>结束日期</translation>
    </message>
    <message>
        <source>Expected close date</source>
        <translation>预计成交日期</translation>
    </message>
    <message>
        <source>Payment terms</source>
        <translation>付款条件</translation>
    </message>
    <message>
        <source>Remark</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Today&apos;s date</source>
        <translation>今天的日期</translation>
    </message>
    <message>
        <source>Total amount, with ¥</source>
        <translation>合计金额（带 ¥）</translation>
    </message>
    <message>
        <source>Total in Chinese capitals (玖万捌仟元整)</source>
        <translation>合计金额大写（玖万捌仟元整）</translation>
    </message>
    <message>
        <source>Number of product lines</source>
        <translation>产品明细行数</translation>
    </message>
    <message>
        <source>Line number (1, 2, …)</source>
        <extracomment>Placeholders inside ``{{#lines}} … {{/lines}}``.</extracomment>
        <translation>行号（1、2、…）</translation>
    </message>
    <message>
        <source>Product name</source>
        <translation>产品名称</translation>
    </message>
    <message>
        <source>Product code</source>
        <translation>产品编码</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Unit price</source>
        <translation>单价</translation>
    </message>
    <message>
        <source>Discount (%)</source>
        <translation>折扣（%）</translation>
    </message>
    <message>
        <source>Line amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Line remark</source>
        <translation>明细备注</translation>
    </message>
</context>
<context>
    <name>schedule</name>
    <message>
        <source>My events</source>
        <translation>我的日程</translation>
    </message>
    <message>
        <source>Tasks due</source>
        <translation>任务截止</translation>
    </message>
    <message>
        <source>Next contacts</source>
        <translation>下次联系</translation>
    </message>
    <message>
        <source>Planned payments</source>
        <translation>回款计划</translation>
    </message>
    <message>
        <source>Contracts ending</source>
        <translation>合同到期</translation>
    </message>
    <message>
        <source>Going to the pool</source>
        <translation>即将进入公海</translation>
    </message>
    <message>
        <source>Daily</source>
        <translation>每天</translation>
    </message>
    <message>
        <source>Weekly</source>
        <translation>每周</translation>
    </message>
    <message>
        <source>Monthly</source>
        <translation>每月</translation>
    </message>
    <message>
        <source>Yearly</source>
        <translation>每年</translation>
    </message>
    <message>
        <source>Meeting</source>
        <translation>会议</translation>
    </message>
    <message>
        <source>Visit</source>
        <translation>拜访</translation>
    </message>
    <message>
        <source>Call</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Next contact</source>
        <translation>下次联系</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
</context>
<context>
    <name>tasks</name>
    <message>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <source>Medium</source>
        <translation>中</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Inbox</source>
        <translation>收件箱</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Next 7 days</source>
        <translation>未来 7 天</translation>
    </message>
    <message>
        <source>Later</source>
        <translation>以后</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Mine</source>
        <translation>我负责的</translation>
    </message>
    <message>
        <source>I assigned</source>
        <translation>我分配的</translation>
    </message>
    <message>
        <source>I take part in</source>
        <translation>我参与的</translation>
    </message>
</context>
<context>
    <name>timeline</name>
    <message>
        <source>Follow-up</source>
        <translation>跟进</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>日程</translation>
    </message>
    <message>
        <source>Approval</source>
        <translation>审批</translation>
    </message>
    <message>
        <source>Work log</source>
        <translation>日志</translation>
    </message>
</context>
<context>
    <name>views</name>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Mine</source>
        <translation>我负责的</translation>
    </message>
    <message>
        <source>My subordinates&apos;</source>
        <translation>下属负责的</translation>
    </message>
    <message>
        <source>My team&apos;s</source>
        <translation>我参与的</translation>
    </message>
    <message>
        <source>Starred</source>
        <translation>我关注的</translation>
    </message>
</context>
<context>
    <name>worklogs</name>
    <message>
        <source>Daily report</source>
        <translation>日报</translation>
    </message>
    <message>
        <source>Weekly report</source>
        <translation>周报</translation>
    </message>
</context>
</TS>
