# Login shells reset PATH in /etc/profile; put the app's virtualenv back first.
. /opt/app-root/etc/activate
