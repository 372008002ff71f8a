app_name = "psychotherapy"

urlpatterns: list = []
