# A gunicorn configuration as sclorg's image runs it: wsgi_app names the app
# (no wsgi.py or app.py to detect), and its settings beat the builder's defaults.
wsgi_app = "service.web:handler"
access_log_format = "server_gunicorn_conf access %(m)s %(U)s %(s)s"
