# The guide inside the console (Assistance panel): one page per task.
# Each page has guide-<id>-title and guide-<id>-body; fr.ftl has the same ids in the same order.
# A body continues on lines indented by 4 spaces. A line never starts with [ * . or a closing
# brace, and no line holds a brace: steps are written "1. " and bullets "– ".

guide-schedules-title = Name the schedules and give them a domain
guide-schedules-body =
    Each schedule is one hosted Server PRONOTE; most schools have two, first called planning01 and planning02. They are set up in the "Configuration" panel: the hosting manager does it during the first steps, and anyone can come back to it later.

    1. Type a domain name for the controller, click "Confirm the controller's domain" and answer "Yes". The name of your school works well, e.g. lycee-victor-hugo.
    2. If you wish, rename each schedule: 1 to 32 letters, digits, "-" or "_".
    3. Leave "Activate a PRONOTE Campus.net licence" ticked for each schedule that has this licence in your contract.
    4. Type the schedule's domain name, check its time zone, click "Confirm" followed by the schedule's name, and answer "Yes".

    Each domain name receives a port. The domain and the port together are the connection details of the PRONOTE Clients: the console shows them under each name, ready to pass on.

    The Campus.net licence decides whether a schedule's webspaces can be published. With it, they are published as soon as a base is activated; without it, they cannot be published at all.

    Only the hosting manager can set or change a domain name. A superadministrator can rename a schedule and change its licence and time zone. To use a domain your school owns, ask your provider to verify it first.

guide-users-title = Superadministrators and console access
guide-users-body =
    Superadministrators run the hosted servers day to day. They are managed in the "Controller" panel, in its tabs "List of users", "Add a user" and "Assigning to profiles".

    1. In "Add a user", enter the first name, surname, username and password, tick "Superadministrator", then click "Add the user". Only the hosting manager can create a superadministrator.
    2. In "List of users", the hosting manager clicks "Edit" on the person's row, enters a valid e-mail address, ticks "Console access", then clicks "Save". Console access needs the e-mail address.
    3. In "Assigning to profiles", choose the "Administration" profile and tick the person in the column of each schedule they look after. Without it, they cannot connect to that schedule's base.

    A password has 10 to 128 characters, with a lowercase letter, an uppercase letter and a digit, and is not the username. A username starts with a letter.

    Then give the person what they need: the console, the hosting number, the invoice number, their username and their password. Send the password apart from the rest.

    To stop someone from using the console, the hosting manager unticks their "Console access": the console refuses them at once, and their profiles stay as they were.

guide-workstations-title = Install the console on a new workstation
guide-workstations-body =
    Every computer that uses the console has its own certificate. It is installed the first time someone logs in from that computer.

    1. Open the console with its desktop shortcut and choose who you are: hosting manager or superadministrator.
    2. Enter the hosting number (12 digits) and your password: the console password received by SMS for the hosting manager, your own username and password for a superadministrator.
    3. Enter the invoice number (10 digits, received by e-mail), name the workstation, then click "Install the certificate". The invoice number is asked only once per workstation.

    The workstation's key is made on the computer and kept in the system keyring, never in a plain file. If the console says that the keyring cannot be used, unlock it and try again.

    Lost your logins? On the login screen, type the hosting number (it is also on your invoices) and click "Receive my hosting logins": the hosting number and the invoice number are e-mailed again. The console password is never sent again; only your provider can reset it.

    The "Workstations" panel shows who uses each workstation, when it was installed and until when its certificate is valid. If a computer is lost, stolen or given away, click "Revoke" on its row: its certificate is refused at once. The hosting manager sees and revokes every workstation; a superadministrator, only their own.

    Before a certificate ends, renew it in "My account" with "Renew the certificate of this workstation": no invoice number is needed.

guide-load-base-title = Load a base from your own Server PRONOTE
guide-load-base-body =
    To move a base from a Server PRONOTE installed at school to the hosted server, first prepare the hosting files in that local Server PRONOTE, with its command that generates the files for hosting. It asks for your hosting number and writes a *.HNOT file, the base, with up to three companions: *.HCOURRIERS (letters), *.HDOCJOINTS (attached documents) and *.HPHOTOS (photos).

    1. In "Server PRONOTE", choose the schedule and open the "Active base" tab. If the server is running, click "Shut down the server": PRONOTE Clients are disconnected until a base is activated again.
    2. Click "Load a base" and choose the .HNOT file with its companions, or drop the files on the console's window.
    3. Follow the transfer in the list at the bottom of the window. You can keep working, pause and resume; if the connection or the computer stops, the transfer continues from where it was, and the console offers to resume it at the next login.
    4. When the base is loaded, open the "Other bases" tab, select it under "Bases downloaded from the institution" and click "Open this base".
    5. Back in "Active base", click "Activate". Check the result with "Test the connection".

    A companion sent later is not lost: select the base in "Other bases" and click "Complete the base" to add a .HCOURRIERS, .HDOCJOINTS or .HPHOTOS file.

guide-other-bases-title = Open another base
guide-other-bases-body =
    The "Other bases" tab of "Server PRONOTE" keeps every base of the schedule, with its size, date and fingerprint (SHA-256):
    – "Previously activated bases": the bases that were in service before;
    – "Bases downloaded from the institution": the bases loaded from your files;
    – the bases created empty or restored from a safeguard and never activated.

    1. In "Active base", click "Shut down the server" if it is running.
    2. In "Other bases", select the base, click "Open this base" and confirm. It replaces the base open on the server; the replaced base stays in the list.
    3. Back in "Active base", click "Activate".

    The marks "active" and "open" in the list show which base is in service and which one waits to be activated.

guide-empty-base-title = Start with an empty base
guide-empty-base-body =
    At the end of August, the service creates and activates a new empty base for each schedule that has not put a new base online since the end of the school year. You can also create one yourself at any time.

    1. In "Server PRONOTE", choose the schedule and open the "Active base" tab. Click "Shut down the server" if it is running.
    2. Click "Create a base".
    3. Keep the proposed time grid or adjust "First hour of the day", "Length of a slot (minutes)" and "Slots per day". It is replaced later by the data from EDT.
    4. Click "Create the base": it is created and opened.
    5. Click "Activate" to put it into service for the PRONOTE Clients.

    Activation needs the schedule's domain name: if the console asks for it, set it first in the "Configuration" panel.

guide-safeguard-title = Go back to a safeguard
guide-safeguard-body =
    While a server runs, the service regularly takes a safeguard of its base and keeps the recent ones, plus one per day and one per week for some time. The "Safeguards" tab of "Server PRONOTE" lists them, newest first.

    To keep a copy at school, select a safeguard and click "Download". The console checks that the saved file is exactly the one kept by the service.

    To put a safeguard back in place of the active base:
    1. In "Active base", click "Shut down the server": a safeguard cannot be opened while the server runs.
    2. In "Safeguards", select the safeguard, click "Open this safeguard" and confirm. It becomes the open base, with its companion files as they were on that day.
    3. In "Active base", click "Activate".

    The base you replaced is not deleted: it stays in "Other bases", among the previously activated bases, should you need it again.

guide-licences-title = Reserve licences for the administrators
guide-licences-body =
    Your contract allows a given number of simultaneous connections in Administrative mode. On busy days, the other users could take them all. Reserving licences keeps a place for the superadministrator and the other members of the Administration group.

    1. In "Server PRONOTE", choose the schedule and open the "Monitoring of connections" tab.
    2. Read the licences of the contract and the number of members of the Administration profile.
    3. Enter the number in "Licences reserved for the administrators", at most the contract's, then click "Save".

    The contract's licences are also shown in "My account".

guide-previous-years-title = Bases of previous school years
guide-previous-years-body =
    At the end of each school year, the service archives the active base of each schedule as the base of the year that ends. These bases are kept read-only, and your current base is not affected.

    The "Previous years" tab of "Server PRONOTE" shows them in a grid: one row per school year, one column per schedule, with the size, date and version of each base.

    Under the grid, the buttons act on the schedule chosen at the top of the panel:
    – To replace an archived base, or to add one for a year that has none (your first hosted year, for example), click "Replace the base of …" or "Load a base for …" for that year and choose its PRONOTE files. The transfer can be paused and resumed like any other.
    – To keep a copy at school, click "Download the base of …".

    Only the members of the schedule's Administration profile can replace or download these bases; the hosting manager cannot. Members are added in the "Controller" panel, tab "Assigning to profiles".

guide-upgrade-title = The yearly version upgrade
guide-upgrade-body =
    Each summer your provider publishes the new version of PRONOTE. "My account", under "Version and yearly upgrade", shows the version your server runs, the new one and the day your upgrade is planned, with the days left.

    By default, the upgrade runs on the first day of the provider's window. To pick another day of the window, choose it in "Day of the upgrade" and click "Save the day". A day that is past or outside the window is refused.

    To prepare the new year early, click "Move to the pre-release … now" once it is available: the panel gives the date from which it is. The move happens within a minute.

    On the day, the service takes a safeguard of each running base, converts the active bases and restarts the servers that were running. If something goes wrong, everything goes back to the previous version as it was and the upgrade is tried again the next day; the hosting manager is told by e-mail.

    Once the upgrade is done, install the same version of PRONOTE on the computers that connect to the hosted server.

guide-contract-title = Renew the hosting contract
guide-contract-body =
    "My account" shows the contract's start and end, with the days left when the end is near. The hosting manager also receives reminders by e-mail before the end.

    Only a superadministrator can renew the contract:
    1. In "My account", under "Renew the contract", enter the "First day of the new period" (YYYY-MM-DD, normally the day after the current end).
    2. Choose the "Length": 1 to 3 years.
    3. Click "Make the pro-forma invoice", then "Save the pro-forma invoice" to keep it as a PDF.

    Pay the pro-forma invoice as your provider asks. The contract is renewed once the payment is received, and "My account" then shows the new end.

    The pro-forma invoices already made are listed below, each with its own save button.

guide-publish-title = Publish the webspaces
guide-publish-body =
    The webspaces let teachers, parents, students and the student administration use PRONOTE in a web browser. They are managed per schedule in the "PRONOTE.net" panel.

    A schedule with the Campus.net licence is published automatically when its base is activated. Without the licence it cannot be published: the licence is ticked in the "Configuration" panel, according to your contract.

    If you stop the publication, it stays stopped when a base is activated again, until you click "Publish".

    – "Publish" opens the webspaces; "Stop publication" closes them. Before stopping, the console lists who loses access, so check it before you confirm.
    – Four switches open or close each space on its own: "Teachers", "Parents", "Students" and "Student administration".
    – The inactivity time, in minutes, is how long a person can stay idle before being logged out.

    Each space's address is shown with "Open in the browser", to check it, and "Copy", to paste it on your school's website or in a message to families. The addresses answer only while the schedule's server is running.

guide-delegate-title = Log in through the ENT (CAS)
guide-delegate-body =
    With delegated authentication, people open a webspace with the logins of your ENT (digital workspace) instead of their PRONOTE logins. The ENT's CAS server checks who they are.

    Ask the ENT's administrator for the address of its CAS server; it starts with https://.

    1. In the "PRONOTE.net" panel, choose the schedule and click "Stop publication". The delegation can be changed only while the publication is stopped.
    2. Under the delegation, choose "ENT (CAS)" and type the "CAS server address".
    3. Save: the console checks that the CAS server answers at that address.
    4. Click "Publish".
    5. Check with "Open in the browser" on one space: you should land on the ENT's login page.

    To go back to PRONOTE logins, stop the publication, choose "No delegation", save and publish again.

guide-audit-title = What happened in your account
guide-audit-body =
    The "Audit log" panel records every change: who made it, from which workstation and address, when, on which schedule, and what it was before and after. Failed logins are recorded too.

    The hosting manager sees every action of the account. A superadministrator sees their own actions and those on the schedules of their Administration profile.

    1. Narrow the list with "From (day)", "To (day)", "Person" and "Kind", then click "Show".
    2. Click "Show older actions" to go further back.
    3. Click "Export as CSV…" to save what the filters select, for a spreadsheet or for your records.

    Times are in UTC. If an action surprises you, the workstation and address tell you where it came from; revoke an unknown workstation in the "Workstations" panel.

guide-notifications-title = Notifications
guide-notifications-body =
    The bell at the top of the window counts the notifications you have not read yet. Click it to see them, newest first; "Open" takes you to the right panel, and "Mark as read" clears one for you.

    – An upgrade date is coming: check the day in "My account" and move it if it does not suit you.
    – This workstation's certificate expires soon: renew it in "My account".
    – A safeguard failed: look at the "Safeguards" tab of "Server PRONOTE"; if it happens again, contact your provider's support.
    – A server was stopped by one of the service's jobs: activate its base again in "Server PRONOTE".
    – The contract ends soon: a superadministrator renews it in "My account".
    – A new workstation was enrolled: if you do not know it, revoke it in "Workstations".

    Some notices also arrive by e-mail, so that an urgent one does not wait for someone to open the console.
